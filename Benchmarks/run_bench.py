#!/usr/bin/env python3
"""`make bench`: the decode benchmark, side by side with wc -l, cat and the Python reference pipeline.

    run_bench.py CARDIAG PYTHON [--frames N] [--reference-frames M] [--runs R]

Generates (once, deterministically) `.build/bench/frames-N.log` and the reference slice
`.build/bench/frames-M.log` with Benchmarks/generate_log.py, then runs each command R times (page cache
warm, median wall time) with its peak RSS from getrusage, and prints a table of wall time, MB/s,
frames/s, peak RSS and the ratios to the reference pipeline and to `wc -l`.

DTC results are checked, and the run fails (exit 1) when any differ: the Python reference on the slice,
cardiag on the slice and cardiag (one thread and all threads) on the full log, each against the records the
generator wrote beside the log. The reference runs on the slice only (it takes minutes on the full log); its
rate is extrapolated to the full log, and the table says so.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, ".build", "bench")


def generate(frames):
    path = os.path.join(BENCH, "frames-%d.log" % frames)
    if not (os.path.exists(path) and os.path.exists(path + ".expected")):
        os.makedirs(BENCH, exist_ok=True)
        print("generating %s ..." % path, file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "generate_log.py"), str(frames), path + ".tmp"],
                       check=True)
        os.rename(path + ".tmp.expected", path + ".expected")
        os.rename(path + ".tmp", path)
    return path


def converted(log, kind, extension):
    """The log rewritten as GVRET CSV or pcap (Benchmarks/convert_log.py) or gzip-compressed, made once."""
    path = log + extension
    if not os.path.exists(path):
        print("writing %s ..." % path, file=sys.stderr)
        if kind == "gzip":
            with open(path + ".tmp", "wb") as out:
                subprocess.run(["gzip", "-c", "-6", log], stdout=out, check=True)
        else:
            subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "convert_log.py"),
                            "csv" if kind == "gvret csv" else "pcap", log, path + ".tmp"], check=True)
        os.rename(path + ".tmp", path)
    return path


def timed(command, stdout_path):
    """Wall seconds and peak RSS (KiB) of one run. RSS comes from /usr/bin/time (its own small child's
    getrusage): the maximum RSS a fork of this Python process reports would include the Python parent's."""
    rss_path = os.path.join(BENCH, "rss.txt")
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        process = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_path] + command, stdout=out,
                                 stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
    stderr = process.stderr.decode(errors="replace")
    if process.returncode != 0:
        sys.exit("bench: %s failed:\n%s" % (" ".join(command), stderr))
    with open(rss_path) as rss:
        return wall, int(rss.read().split()[-1]), stderr


def measure(name, command, runs, stdout_path="/dev/null"):
    results = [timed(command, stdout_path) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    return {"name": name, "wall": wall, "rss": max(r[1] for r in results), "stderr": results[-1][2]}


def cardiag_records(jsonl_path):
    """The DTC records of a `cardiag decode --format jsonl` output, in the generator's form."""
    records = []
    with open(jsonl_path) as lines:
        for line in lines:
            item = json.loads(line)
            if "kind" in item:  # the triage and summary lines
                continue
            code = item["code"]
            letter = "PCBU".index(code[0])
            value = letter << 14 | int(code[1:], 16)
            dtc = value << 8 | (item["failureType"] or 0)
            address = item["ecu"]["extendedAddress"]
            records.append("%03X %s %06X %02X" % (item["ecu"]["responseId"], "-" if address is None else "%02X" % address,
                                                  dtc, item["status"]))
    return records


def expected_records(log):
    with open(log + ".expected") as lines:
        return [line.rstrip("\n") for line in lines]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cardiag")
    parser.add_argument("python")
    parser.add_argument("--frames", type=int, default=int(os.environ.get("BENCH_FRAMES", 10_000_000)))
    parser.add_argument("--reference-frames", type=int,
                        default=int(os.environ.get("BENCH_REFERENCE_FRAMES", 1_000_000)))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    arguments = parser.parse_args()
    reference_frames = min(arguments.reference_frames, arguments.frames)
    log = generate(arguments.frames)
    slice_log = generate(reference_frames)
    size = os.path.getsize(log)
    slice_size = os.path.getsize(slice_log)
    cores = os.cpu_count()
    for _ in range(2):  # warm the page cache
        subprocess.run(["cat", log, slice_log], stdout=subprocess.DEVNULL, check=True)

    out = os.path.join(BENCH, "out")
    os.makedirs(out, exist_ok=True)
    failures = []

    def check(name, records, expected):
        if records != expected:
            failures.append("%s: %d DTC records, expected %d%s" % (
                name, len(records), len(expected), "" if len(records) != len(expected) else " (contents differ)"))
        return len(records)

    rows = []
    rows.append(measure("wc -l", ["wc", "-l", log], arguments.runs))
    rows.append(measure("cat", ["cat", log], arguments.runs))
    reference = measure("python-can + can-isotp + udsoncan",
                        [arguments.python, os.path.join(ROOT, "Benchmarks", "reference_pipeline.py"), slice_log],
                        arguments.runs, os.path.join(out, "reference.txt"))
    with open(os.path.join(out, "reference.txt")) as lines:
        check("reference (slice)", [line.rstrip("\n") for line in lines], expected_records(slice_log))
    reference["frames"] = reference_frames
    reference["bytes"] = slice_size
    rows.append(reference)
    single = measure("cardiag decode --jobs 1", [arguments.cardiag, "decode", "--format", "jsonl", "--jobs", "1", log],
                     arguments.runs, os.path.join(out, "single.jsonl"))
    check("cardiag --jobs 1", cardiag_records(os.path.join(out, "single.jsonl")), expected_records(log))
    rows.append(single)
    multi = measure("cardiag decode --jobs %d" % cores,
                    [arguments.cardiag, "decode", "--format", "jsonl", "--jobs", str(cores), log],
                    arguments.runs, os.path.join(out, "multi.jsonl"))
    check("cardiag --jobs %d" % cores, cardiag_records(os.path.join(out, "multi.jsonl")), expected_records(log))
    with open(os.path.join(out, "single.jsonl"), "rb") as a, open(os.path.join(out, "multi.jsonl"), "rb") as b:
        if a.read() != b.read():
            failures.append("cardiag --jobs 1 and --jobs %d outputs differ" % cores)
    rows.append(multi)
    # The same frames in the other formats cardiag reads, each on its own file size.
    for kind, extension in (("gvret csv", ".csv"), ("pcap", ".pcap"), ("gzip", ".gz")):
        path = converted(log, kind, extension)
        if kind == "gzip":
            rows.append(dict(measure("zcat (gzip)", ["zcat", path], arguments.runs), bytes=os.path.getsize(path)))
        row = measure("cardiag decode --jobs 1 (%s)" % kind,
                      [arguments.cardiag, "decode", "--format", "jsonl", "--jobs", "1", path], arguments.runs,
                      os.path.join(out, "format.jsonl"))
        check("cardiag (%s)" % kind, cardiag_records(os.path.join(out, "format.jsonl")), expected_records(log))
        row["bytes"] = os.path.getsize(path)
        rows.append(row)
    sliced = measure("cardiag decode (reference slice)", [arguments.cardiag, "decode", "--format", "jsonl", slice_log],
                     1, os.path.join(out, "slice.jsonl"))
    check("cardiag (slice)", cardiag_records(os.path.join(out, "slice.jsonl")), expected_records(slice_log))

    # Start-up: process start included, the median of 10 runs each.
    hundred = os.path.join(BENCH, "frames-100.log")
    with open(log, "rb") as source, open(hundred, "wb") as target:
        target.writelines(source.readline() for _ in range(100))
    startup = [
        measure("cardiag explain B15C4", [arguments.cardiag, "explain", "B15C4"], 10),
        measure("cardiag decode (100-line log)", [arguments.cardiag, "decode", hundred], 10),
    ]

    wc_rate = size / rows[0]["wall"]
    reference_rate = reference["bytes"] / reference["wall"]
    print("\n%d frames, %.0f MB (%s), %d cores, median of %d runs; reference pipeline on the first %d frames "
          "(%.0f MB), its rate extrapolated" % (arguments.frames, size / 1e6, os.path.basename(log), cores,
                                                arguments.runs, reference_frames, slice_size / 1e6))
    print("%-36s %9s %10s %12s %9s %9s %8s" % ("command", "wall s", "MB/s", "frames/s", "RSS MB", "x ref", "x wc -l"))
    for row in rows:
        data = row.get("bytes", size)
        frames = row.get("frames", arguments.frames)
        rate = data / row["wall"]
        print("%-36s %9.3f %10.1f %12.0f %9.1f %9.1f %8.3f" % (
            row["name"] + (" *" if row is reference else ""), row["wall"], rate / 1e6, frames / row["wall"],
            row["rss"] / 1024, rate / reference_rate, rate / wc_rate))
    print("* on the slice; ratios compare rates (bytes per second, each on its own input: the CSV, pcap and gzip rows "
          "hold the same frames)")
    print("\nstart-up (process start included, median of 10 runs; target 30 ms)")
    for row in startup:
        print("%-36s %7.1f ms %9.1f MB RSS" % (row["name"], row["wall"] * 1000, row["rss"] / 1024))
    print("DTC records: %d in the log, %d in the slice" % (len(expected_records(log)), len(expected_records(slice_log))))
    if failures:
        print("DTC RESULTS DIFFER:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("DTC results identical: reference, cardiag --jobs 1, cardiag --jobs %d, generator" % cores)


if __name__ == "__main__":
    main()
