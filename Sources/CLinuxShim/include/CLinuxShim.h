// CLinuxShim: the Linux calls Swift's Glibc module does not expose (epoll, eventfd, timerfd,
// signalfd, accept4, pipe2), plus the hardware CRC32C instruction. shim.c is compiled with
// _GNU_SOURCE; this header is not, so its system types match the ones Swift's Glibc module sees.
// Swift code that uses socket or fcntl constants imports this module: some constants only
// resolve through it in release builds.
#ifndef CLINUXSHIM_H
#define CLINUXSHIM_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <time.h>
#include <pthread.h>

/// errno of the calling thread (Swift cannot read the TLS macro directly in every build mode).
int cshim_errno(void);
void cshim_set_errno(int value);

int cshim_epoll_create(void);
int cshim_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/// Waits for events; fills parallel arrays so Swift never touches the packed epoll_event layout.
int cshim_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max, int timeout_ms);

int cshim_eventfd(unsigned int initval);
int cshim_timerfd_create(void);
int cshim_timerfd_settime_ms(int fd, int64_t after_ms, int64_t interval_ms);

/// Blocks the given signals in this thread (and its future children) and returns a signalfd.
int cshim_signalfd(const int *signals, int count);
/// Reads one siginfo; returns the signal number, 0 when none is pending, -1 on error.
int cshim_signalfd_read(int fd);
/// Unblocks every signal in this thread (for children after fork, before exec).
int cshim_unblock_all_signals(void);

int cshim_accept4(int fd, struct sockaddr *addr, socklen_t *len);
int cshim_pipe2(int fds[2]);
int cshim_socket(int domain, int type);

/// Spawns `path` (no PATH search) with exactly `argv` and `envp`, in a new process group of its
/// own, with an empty signal mask and every signal at its default disposition (the daemon
/// blocks signals for its signalfd; a child must not inherit that). Descriptors 0, 1, 2 become
/// `stdin_fd`, `stdout_fd`, `stderr_fd` (-1: /dev/null). Returns 0 or an errno value.
int cshim_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
                int stderr_fd);
/// pidfd_open(2): a descriptor that polls readable when `pid` exits. -1 and errno on failure.
int cshim_pidfd_open(pid_t pid);

uint64_t cshim_monotonic_ns(void);
int64_t cshim_realtime_ms(void);

/// CRC32C (Castagnoli), hardware instruction when the CPU has SSE4.2, a table otherwise.
/// `crc` is the running value (0 to start); the result is already finalized.
uint32_t cshim_crc32c(uint32_t crc, const void *data, size_t length);

/// Asks the processor to bring the cache line at `p` in for reading: a hint (no fault, nothing
/// a program computes changes), inline so that Swift's call is one instruction.
static inline void cshim_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
