"""The machine a benchmark runs on: CPU model, memory, kernel, and the cores that keep the system under
test and the load (load generator, client, receiver) apart when taskset can pin them."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path


def pinned(cpus: str | None, command: list[str]) -> list[str]:
    """`command` under `taskset -c CPUS`; unchanged when `cpus` is None or taskset is not installed."""
    return ["taskset", "-c", cpus, *command] if cpus is not None and shutil.which("taskset") else command


@dataclass
class Machine:
    nproc: int
    cpu_model: str
    memory: str
    kernel: str
    server_cpus: str | None  # taskset list for the system under test, or None when not pinned
    load_cpus: str | None  # the load generator, the client, the receiver: all but the system under test

    @classmethod
    def probe(cls) -> Machine:
        """This process's CPUs; pinned (first CPU: server, second: load) with taskset and >= 2 CPUs."""
        cpus = sorted(os.sched_getaffinity(0))
        model, memory = "unknown", "unknown"
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with contextlib.suppress(OSError, ValueError, IndexError):
            kib = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
            memory = f"{kib / 1024 / 1024:.1f} GiB"
        pin = shutil.which("taskset") is not None and len(cpus) >= 2
        return cls(
            nproc=len(cpus),
            cpu_model=model,
            memory=memory,
            kernel=platform.release(),
            server_cpus=str(cpus[0]) if pin else None,
            load_cpus=str(cpus[1]) if pin else None,
        )

    def pin(self, cpus: str | None, command: list[str]) -> list[str]:
        return pinned(cpus, command)

    def pin_self(self) -> None:
        """This process, and whatever it starts from now on, on the load's core."""
        if self.load_cpus is not None:
            os.sched_setaffinity(0, {int(self.load_cpus)})

    @property
    def description(self) -> str:
        return f"{self.nproc} CPUs (nproc), {self.cpu_model}, {self.memory} RAM, Linux {self.kernel}"

    def pinning(self, server: str, load: str) -> str:
        """For the report: `pinning("server", "client")` is "server on CPU 0, client on CPU 1 (taskset)"."""
        if self.server_cpus is None:
            return "not pinned (needs taskset and two CPUs)"
        return f"{server} on CPU {self.server_cpus}, {load} on CPU {self.load_cpus} (taskset)"
