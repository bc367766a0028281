// payhookd-logbench: figures for the durable log (scripts/bench-log.sh runs it).
//   append DIR SUBMITTERS RECORDS MAX_BATCH   durable appends/s, closed loop (each submitter
//                                             waits for its record's fdatasync, like an HTTP
//                                             client waiting for its 200)
//   fill DIR RECORDS                          writes RECORDS events (payments of 1..4 events)
//   gen DIR RECORDS                           writes RECORDS events shaped like a busy merchant's
//                                             (4 kinds over RECORDS*0.3 payments; bench-scale.sh)
//   lookups EVENTS                            ns per payment lookup over EVENTS*0.3 payments in memory:
//                                             the compact table against a dictionary of states
//   open DIR [--no-snapshot|--no-verify]      start-up time and RSS of Log.open (--no-verify: trust
//                                             the snapshot's segments without reading them)
//   dedup N                                   the dedup table alone at N entries against the
//                                             dictionary it replaced: bytes an entry, ns an op
import CLinuxShim
import Glibc
import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookStore

let args = CommandLine.arguments
func usage() -> Never {
    print(
        "usage: payhookd-logbench append DIR SUBMITTERS RECORDS MAX_BATCH | fill DIR RECORDS | gen DIR RECORDS | lookups EVENTS | open DIR [--no-snapshot|--no-verify] | dedup N"
    )
    exit(2)
}
guard args.count >= 3 else { usage() }

switch args[1] {
case "append":
    guard args.count == 6, let submitters = Int(args[3]), let records = Int(args[4]), let batch = Int(args[5]) else { usage() }
    Bench.append(dir: args[2], submitters: submitters, records: records, maxBatch: batch)
case "fill":
    guard args.count == 4, let records = Int(args[3]) else { usage() }
    Bench.fill(dir: args[2], records: records)
case "gen":
    guard args.count == 4, let records = Int(args[3]) else { usage() }
    BenchScale.generate(dir: args[2], records: records)
case "lookups":
    guard args.count == 3, let events = Int(args[2]) else { usage() }
    BenchLookup.run(events: events)
case "open":
    Bench.open(dir: args[2], useSnapshot: !args.contains("--no-snapshot"), verify: !args.contains("--no-verify"))
case "dedup":
    guard let n = Int(args[2]), n > 0 else { usage() }
    for line in DedupBench.run(entries: n) { print(line) }
default:
    usage()
}
