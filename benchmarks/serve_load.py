"""Load on `faqbot serve`, driven by Debian's `wrk` (apt-get install wrk) so the load generator is not
the bottleneck.

    python benchmarks/serve_load.py                       # 1, 16, 64 connections x 30 s x 1 and 2 workers
    python benchmarks/serve_load.py --seconds 10 --connections 16

For each number of worker processes, a server on a free loopback port; for each number of
keep-alive connections, `wrk` on `GET /healthz` (the trivial endpoint: the HTTP stack's ceiling) and
on `POST /v1/ask` (a Lua script posting real questions in turn). Prints requests/s, p50 and p99
latency, errors (non-2xx or socket errors) and the generator's share of the CPU. Targets:
`/v1/ask` ≥ 50 % of `/healthz`'s throughput in the same run, p99 < 100 ms at 16 connections.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

QUESTIONS = ["Is ChatGPT an LLM?", "what is generative ai", "which tool should a filmmaker use?",
             "whats the diffrence btwn llm and gen ai", "how big are context windows", "what is the weather today"]
LUA = """
local questions = {%s}
local n = 0
request = function()
  n = n + 1
  local body = '{"question": "' .. questions[(n %% #questions) + 1] .. '"}'
  return wrk.format("POST", "/v1/ask", {["Content-Type"] = "application/json"}, body)
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FAQBOT_LOG": "off"}
    server = subprocess.Popen([sys.executable, "-m", "faqbot", "serve", "--port", str(port), "--workers", str(workers),
                               "--no-log"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import urllib.request

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def _wrk(url: str, connections: int, seconds: int, script: str | None) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    args = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if script:
        args[1:1] = ["-s", script]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    def ms(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    return {"rps": rate, "p50_ms": ms("50"), "p99_ms": ms("99"), "errors": errors,
            "generator_cpu_share": round(cpu / (wall * (os.cpu_count() or 1)), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, nargs="*", default=[1, 16, 64])
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "ask.lua"
        script.write_text(LUA % ", ".join(json.dumps(q) for q in QUESTIONS))
        for workers in args.workers:
            port = _free_port()
            server = _start(port, workers)
            try:
                for connections in args.connections:
                    health = _wrk(f"http://127.0.0.1:{port}/healthz", connections, args.seconds, None)
                    ask = _wrk(f"http://127.0.0.1:{port}/v1/ask", connections, args.seconds, str(script))
                    results[f"{workers}w-{connections}c"] = {"healthz": health, "ask": ask}
                    print(f"workers {workers}, {connections:>2} connections: /healthz {health['rps']:7.0f} req/s "
                          f"(p99 {health['p99_ms']:.1f} ms) | /v1/ask {ask['rps']:7.0f} req/s, "
                          f"p50 {ask['p50_ms']:.1f} ms, "
                          f"p99 {ask['p99_ms']:.1f} ms, {ask['errors']} errors, {ask['rps'] / health['rps']:.0%} of "
                          f"/healthz; wrk CPU {ask['generator_cpu_share']:.0%}")
            finally:
                server.terminate()
                server.wait(timeout=30)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
