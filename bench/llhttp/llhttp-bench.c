/* llhttp-bench: parses a corpus of concatenated HTTP/1.1 requests again and again with llhttp,
 * touching what a server would (URL, header names and values, body), and prints
 * "<N> requests/s <M> MB/s" per second of CPU time. Built by scripts/bench-parser.sh against Debian's node-llhttp. */
#include <llhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long requests;
static size_t touched;

static int on_span(llhttp_t *p, const char *at, size_t len) { (void)p; touched += len + (unsigned char)at[0]; return 0; }
static int on_complete(llhttp_t *p) { (void)p; requests++; return 0; }

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: see payhookd-bench */
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: llhttp-bench FILE [SECONDS]\n"); return 2; }
    double seconds = argc > 2 ? atof(argv[2]) : 5.0;
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(size);
    if (fread(buf, 1, size, f) != (size_t)size) { perror("read"); return 2; }
    fclose(f);

    llhttp_settings_t settings;
    llhttp_settings_init(&settings);
    settings.on_url = on_span;
    settings.on_header_field = on_span;
    settings.on_header_value = on_span;
    settings.on_body = on_span;
    settings.on_message_complete = on_complete;
    llhttp_t parser;
    llhttp_init(&parser, HTTP_REQUEST, &settings);

    long passes = 0;
    double start = cpu_now(), end = start + seconds, t;
    do {
        for (int i = 0; i < 64; i++) {
            llhttp_errno_t err = llhttp_execute(&parser, buf, size);
            if (err != HPE_OK) { fprintf(stderr, "llhttp: %s %s\n", llhttp_errno_name(err), parser.reason); return 1; }
            passes++;
        }
    } while ((t = cpu_now()) < end);
    double elapsed = t - start;
    printf("%ld requests/s %ld MB/s (checksum %zu)\n", (long)(requests / elapsed),
           (long)(size * (double)passes / elapsed / 1e6), touched % 1000);
    return 0;
}
