#!/usr/bin/env python3
"""The scale-out drill: 20 short runs on four workers in two pools while a worker is killed every
20-40 s (alternately SIGTERM and SIGKILL) and restarted. It prints the checks of issue 24: every run
SUCCEEDED, no phase completed twice, pool routing held, PostgreSQL's connections stayed under the
planned budget, and the training time redone after each kill against the checkpoint interval.
Usage (from the repository root): flock ../heavy.lock bench/drill.sh [--runs 20] [--iterations 600] [--seed 0]"""
import argparse, json, os, random, subprocess, sys, threading, time, urllib.error, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = "mnemos-drill"
WORKERS = {"worker-a1": "cpu-a", "worker-a2": "cpu-a", "worker-b1": "cpu-b", "worker-b2": "cpu-b"}
METHODS = ["finetune", "replay", "icarl", "lwf"]
PLANNED = 35  # 5 processes x (6 pooled + 1 LISTEN), as compose.yml declares


def compose(*args, check=True):
    return subprocess.run(["docker-compose", "-p", PROJECT, "-f", os.path.join(HERE, "compose.yml"), *args],
                          check=check, capture_output=True, text=True)


def psql(sql):
    out = subprocess.run(["docker", "exec", f"{PROJECT}_postgres_1", "psql", "-U", "mnemos", "-d", "mnemos",
                          "-tAF", "\t", "-c", sql], capture_output=True, text=True)
    # strip newlines only: a NULL last column is an empty field after a tab
    return [line.split("\t") for line in out.stdout.strip("\n").splitlines() if line]


class Api:
    def __init__(self, port, key):
        self.base, self.key = f"http://localhost:{port}/api/v1", key

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"X-API-Key": self.key, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}") from None


def spec(i, iterations):
    method = METHODS[i % len(METHODS)]
    s = {"name": f"drill-{i:02d}-{method}", "seed": i,
         "dataset": {"name": "mnist"},
         "protocol": {"initialClasses": 2, "increment": 2, "classOrder": "natural"},
         "model": {"backbone": "mlp", "hiddenUnits": [200]},
         "method": {"name": method},
         "training": {"iterations": iterations, "batchSize": 64, "optimizer": {"name": "adam", "lr": 0.001}},
         "resources": {"pool": "cpu-a" if i % 2 == 0 else "cpu-b"}}
    if method in ("replay", "icarl"):
        s["memory"] = {"selector": "herding", "perClass": 20}
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--iterations", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--port", type=int, default=int(os.environ.get("DRILL_PORT", "18080")))
    ap.add_argument("--timeout-min", type=float, default=30)
    ap.add_argument("--keep", action="store_true", help="leave the containers up afterwards")
    a = ap.parse_args()
    key = os.environ.setdefault("MNEMOS_API_KEY", "drill-" + os.urandom(8).hex())
    os.environ.setdefault("MNEMOS_DATA_DIR", os.path.abspath(os.path.join(HERE, "../../../shared/data")))
    every = os.environ.setdefault("DRILL_CHECKPOINT_EVERY", "5s")
    rnd = random.Random(a.seed)
    print(f"# drill: {a.runs} runs, {a.iterations} iterations per phase, checkpoint every {every}, "
          f"load {open('/proc/loadavg').read().split()[:3]}", flush=True)
    compose("down", "-v", check=False)
    compose("up", "-d")
    try:
        drill(a, key, every, rnd)
    finally:
        if not a.keep:
            compose("down", "-v", check=False)


def drill(a, key, every, rnd):
    api = Api(a.port, key)
    deadline = time.time() + 300
    while True:
        try:
            api.call("GET", "/experiments?limit=1")
            break
        except Exception:
            if time.time() > deadline:
                sys.exit("the API did not answer in 5 minutes")
            time.sleep(2)
    t0 = time.time()
    ids = [api.call("POST", "/experiments", spec(i, a.iterations))["id"] for i in range(a.runs)]
    print(f"# {len(ids)} runs submitted at +{time.time() - t0:.0f} s", flush=True)

    conns, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            rows = psql("select count(*) from pg_stat_activity where datname = 'mnemos' and pid <> pg_backend_pid()")
            if rows:
                conns.append(int(rows[0][0]))
            stop.wait(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    kills = []
    signal = "TERM"
    while time.time() - t0 < a.timeout_min * 60:
        done = psql("select count(*) from experiments where status in ('SUCCEEDED','FAILED','CANCELLED')")
        if done and int(done[0][0]) >= a.runs:
            break
        time.sleep(rnd.uniform(20, 40))
        victim = rnd.choice(sorted(WORKERS))
        running = psql(f"select experiment_id, phase_index from phases where status = 'RUNNING' and worker like '{victim}/%'")
        kills.append({"at": time.time(), "worker": victim, "signal": signal, "phases": [tuple(r) for r in running]})
        subprocess.run(["docker", "kill", "-s", signal, f"{PROJECT}_{victim}_1"], capture_output=True)
        subprocess.run(["docker", "wait", f"{PROJECT}_{victim}_1"], capture_output=True, timeout=60)
        # once the worker is gone: when each of its phases started this attempt and saved its last checkpoint
        for phase in kills[-1]["phases"]:
            eid, index = phase[0], phase[1]
            rows = psql(
                "select extract(epoch from p.started_at),"
                " (select extract(epoch from a.created_at) from artifacts a where a.experiment_id = p.experiment_id"
                "  and a.phase_index = p.phase_index and a.kind = 'mid-phase-checkpoint')"
                f" from phases p where p.experiment_id = '{eid}' and p.phase_index = {index}")
            if rows:
                kills[-1].setdefault("times", {})[(eid, index)] = rows[0]
        print(f"+{time.time() - t0:5.0f} s  SIG{signal} {victim} running {len(running)} phase(s)", flush=True)
        compose("start", victim)
        signal = "KILL" if signal == "TERM" else "TERM"
    stop.set()
    sampler.join()
    wall = time.time() - t0
    report(ids, kills, conns, wall, every)


def report(ids, kills, conns, wall, every):
    ok = True
    statuses = psql("select status, count(*) from experiments group by status")
    succeeded = dict((s, int(n)) for s, n in statuses).get("SUCCEEDED", 0)
    print(f"\n## runs: {dict((s, int(n)) for s, n in statuses)} in {wall:.0f} s, {len(kills)} kills")
    ok &= succeeded == len(ids)
    twice = psql("select experiment_id, data->>'phase', count(*) from events where type = 'phase-completed' "
                 "group by 1, 2 having count(*) > 1")
    print(f"## phases completed more than once: {len(twice)}")
    ok &= not twice
    left = psql("select count(*) from artifacts where kind = 'mid-phase-checkpoint'")
    print(f"## mid-phase checkpoints left behind: {left[0][0]}")
    ok &= left[0][0] == "0"
    starts = psql("select e.resolved_spec->'resources'->>'pool', ev.data->>'worker' from events ev "
                  "join experiments e on e.id = ev.experiment_id where ev.type = 'phase-started'")
    wrong = [(p, w) for p, w in starts if WORKERS.get(w.split("/")[0]) != p]
    print(f"## phase starts: {len(starts)}, on a worker of another pool: {len(wrong)}")
    ok &= not wrong and len(starts) > 0
    print(f"## PostgreSQL connections (sampled each second, {len(conns)} samples): max {max(conns, default=0)}, "
          f"planned {PLANNED}, max_connections 50")
    ok &= max(conns, default=0) <= PLANNED
    # the training redone after each kill: from the attempt's start, or its last checkpoint if later, to the kill
    resumed = psql("select experiment_id, data->>'phase', data->>'step', data->>'stage', extract(epoch from created_at) "
                   "from events where type = 'phase-resumed' order by seq")
    print(f"## phases resumed from a mid-phase checkpoint: {len(resumed)}")
    lost = []
    for k in kills:
        for (eid, phase), (started, checkpoint) in k.get("times", {}).items():
            after = [r for r in resumed if r[0] == eid and r[1] == phase and float(r[4]) >= k["at"]]
            since = max(float(started), float(checkpoint) if checkpoint else 0.0)
            seconds = max(k["at"] - since, 0.0)
            lost.append(seconds)
            print(f"   SIG{k['signal']:4} {k['worker']}: phase {phase} of {eid[:8]}, "
                  + ("no checkpoint yet" if not checkpoint
                     else "checkpoint saved at shutdown" if float(checkpoint) >= k["at"]
                     else f"checkpoint {k['at'] - float(checkpoint):.1f} s before the kill")
                  + f", attempt started {k['at'] - float(started):.1f} s before; resumed at "
                  + (f"step {after[0][2]} of stage {after[0][3]}" if after else "its start")
                  + f": {seconds:.1f} s redone")
    if lost:
        print(f"## work redone per interrupted phase (setup included): max {max(lost):.1f} s, mean {sum(lost) / len(lost):.1f} s "
              f"(checkpoint interval {every})")
    print("## drill " + ("PASSED" if ok else "FAILED"))


if __name__ == "__main__":
    main()
