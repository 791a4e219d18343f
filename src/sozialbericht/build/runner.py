"""Execute an edition's notebooks with papermill, two at a time, on warm kernels.

Starting a kernel and importing pandas, altair and this package takes about a second, more
than most chapters need for their own work; 14 notebooks paid it 14 times. Here each worker
starts one kernel when the build begins (while the build still reads the data), runs its
notebooks in that kernel one after another, and resets the kernel between two notebooks
(``kernel.reset_for_next_notebook``: names and working folder are those of a fresh kernel;
only the imported modules stay; no notebook writes environment variables, they receive their
settings as parameters). ``fresh_kernels=True`` (``--fresh-kernels``) gives every notebook a
kernel of its own instead, to compare or to rule the reuse out.

papermill still parameterises and executes every notebook and records its outputs; the
reuse is a papermill engine (``WarmKernelEngine``) handed the worker's kernel.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_core.utils import ensure_async, run_sync
from nbclient import NotebookClient
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

from sozialbericht.errors import SozialberichtError

ENGINE_NAME = "sozialbericht-warm-kernel"
KERNEL_NAME = "python3"
# what the notebooks import first: loaded once per kernel, while the build reads the data
WARM_UP = (
    "from sozialbericht.build.kernel import remember_start_state\n"
    "remember_start_state()\n"
    "import sozialbericht.report.chapter, sozialbericht.report.pages, sozialbericht.report.profiles, sozialbericht.report.steering"
)
RESET = "from sozialbericht.build.kernel import reset_for_next_notebook\nreset_for_next_notebook()"

logger = logging.getLogger("papermill")


class NotebookError(SozialberichtError):
    pass


def _run_quietly(client: NotebookClient, code: str, what: str) -> None:
    """Execute set-up code in the client's kernel; it leaves no trace in any notebook."""
    msg_id = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    reply = client.wait_for_reply(msg_id)
    content = (reply or {}).get("content", {})
    if content.get("status") != "ok":
        raise NotebookError(
            f"The kernel could not {what}: {content.get('ename', 'no reply')}: {content.get('evalue', '')}"
        )


class WarmKernel:
    """A kernel started and warmed up once, used for many notebooks by the thread that started it.

    The kernel manager's sockets belong to the event loop of that thread, so the kernel is
    only ever used (and shut down) there.
    """

    def __init__(self, cwd: Path):
        client = NotebookClient(nbformat.v4.new_notebook(), kernel_name=KERNEL_NAME, startup_timeout=120)
        client.km = client.create_kernel_manager()
        # Unix sockets in a private folder instead of TCP ports on localhost: no other local
        # process can connect, and the kernel has no reason to warn about unencrypted TCP
        self._sockets = Path(tempfile.mkdtemp(prefix="sozialbericht-kernel-"))
        client.km.transport = "ipc"
        client.km.ip = str(self._sockets / "kernel")
        client.start_new_kernel(cwd=str(cwd))
        try:
            client.start_new_kernel_client()
            _run_quietly(client, WARM_UP, "import the sozialbericht package (is it installed?)")
        except BaseException:
            client._cleanup_kernel()
            shutil.rmtree(self._sockets, ignore_errors=True)
            raise
        # the client stays connected: a new one waits ~0.2 s for the kernel to settle each time
        self.km, self.kc = client.km, client.kc
        self.notebooks = 0

    def shutdown(self) -> None:
        if self.km is not None:
            try:
                run_sync(self._shutdown)()
            finally:
                self.km = None
                shutil.rmtree(self._sockets, ignore_errors=True)

    async def _shutdown(self) -> None:
        await ensure_async(self.kc.stop_channels())
        try:
            if await ensure_async(self.km.is_alive()):
                await ensure_async(self.km.shutdown_kernel(now=False))
        finally:
            await ensure_async(self.km.cleanup_resources())


class _Client(PapermillNotebookClient):
    reset_first = False

    def papermill_execute_cells(self):
        if self.reset_first:
            _run_quietly(self, RESET, "be reset for the next notebook")
        super().papermill_execute_cells()


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, run in the worker's warm kernel when one is given."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        warm_kernel: WarmKernel | None = None,
        **kwargs,
    ):
        # the injected parameters are no content of the report: hide them like the template's own cell
        for cell in nb_man.nb.cells:
            tags = cell.metadata.setdefault("tags", [])
            if "injected-parameters" in tags and "remove-cell" not in tags:
                tags.append("remove-cell")
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout or kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        if warm_kernel is None:
            return _Client(nb_man, **final_kwargs).execute()
        client = _Client(nb_man, km=warm_kernel.km, **final_kwargs)
        client.kc = warm_kernel.kc
        client.reset_first = True
        try:
            # cleanup_kc=False: the kernel and its client outlive this notebook
            return client.execute(cleanup_kc=False)
        finally:
            warm_kernel.notebooks += 1


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


@dataclass
class Job:
    name: str
    template: Path
    output: Path
    parameters: dict
    # called in the worker once the output notebook is in place (e.g. to write its build key)
    done: Callable[[], None] | None = None
    expected_seconds: float = 0.0


@dataclass
class _Outcome:
    job: Job
    seconds: float = 0.0
    error: BaseException | None = None
    skipped: bool = False


class NotebookRunner:
    """Worker threads with one warm kernel each; ``run`` hands them notebooks, longest first.

    Use as a context manager: the kernels start on entry (in the background) and are shut
    down on exit.
    """

    def __init__(self, workers: int = 2, cwd: Path | None = None, fresh_kernels: bool = False):
        self.workers = max(1, workers)
        self.cwd = Path(cwd or os.getcwd())
        self.fresh_kernels = fresh_kernels
        self._jobs: queue.Queue = queue.Queue()
        self._outcomes: queue.Queue = queue.Queue()
        self._failed = threading.Event()
        self._threads: list[threading.Thread] = []
        self.kernel_errors: list[BaseException] = []

    def __enter__(self) -> NotebookRunner:
        for number in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"notebook-worker-{number + 1}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _work(self) -> None:
        kernel = None
        if not self.fresh_kernels:
            try:
                kernel = WarmKernel(self.cwd)
            except BaseException as error:  # reported when a notebook needs the kernel
                self.kernel_errors.append(error)
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                if self._failed.is_set():
                    self._outcomes.put(_Outcome(job, skipped=True))
                    continue
                if kernel is None and not self.fresh_kernels:
                    self._failed.set()
                    self._outcomes.put(_Outcome(job, error=self.kernel_errors[-1]))
                    continue
                started = time.perf_counter()
                try:
                    self._execute(job, kernel)
                except BaseException as error:
                    self._failed.set()
                    self._outcomes.put(_Outcome(job, error=error))
                    # a failed notebook can leave the kernel in any state: never reuse it
                    if kernel is not None:
                        kernel.shutdown()
                        kernel = None
                    continue
                self._outcomes.put(_Outcome(job, seconds=time.perf_counter() - started))
        finally:
            if kernel is not None:
                kernel.shutdown()

    def _execute(self, job: Job, kernel: WarmKernel | None) -> None:
        import papermill

        temporary = job.output.with_suffix(".running.ipynb")
        try:
            papermill.execute_notebook(
                str(job.template),
                str(temporary),
                parameters=job.parameters,
                kernel_name=KERNEL_NAME,
                engine_name=ENGINE_NAME,
                warm_kernel=kernel,
                progress_bar=False,
                log_output=False,
                # saving after every cell rewrote a growing notebook ~50 times
                request_save_on_cell_execute=False,
            )
        except papermill.PapermillExecutionError as error:
            raise NotebookError(
                f"Notebook {job.template.name} failed in cell {error.cell_index}: {error.ename}: {error.evalue}"
            ) from None
        os.replace(temporary, job.output)
        if job.done is not None:
            job.done()

    def run(self, jobs: list[Job], progress: Callable[[str], None] = print) -> dict[str, float]:
        """Execute ``jobs`` (longest expected first); the seconds each took. Raises the first failure."""
        if self._failed.is_set():
            raise NotebookError("The notebook workers stopped after an earlier failure.")
        ordered = sorted(jobs, key=lambda job: -job.expected_seconds)
        for job in ordered:
            self._jobs.put(job)
        timings: dict[str, float] = {}
        failures: list[_Outcome] = []
        for count in range(1, len(ordered) + 1):
            outcome = self._outcomes.get()
            if outcome.error is not None:
                failures.append(outcome)
                progress(f"  [{count}/{len(ordered)}] {outcome.job.name}: failed")
            elif outcome.skipped:
                progress(f"  [{count}/{len(ordered)}] {outcome.job.name}: not run (an earlier notebook failed)")
            else:
                timings[outcome.job.name] = outcome.seconds
                progress(f"  [{count}/{len(ordered)}] {outcome.job.name}: {outcome.seconds:.1f} s")
        if failures:
            error = failures[0].error
            if isinstance(error, SozialberichtError):
                raise error
            raise NotebookError(
                f"Notebook {failures[0].job.template.name} could not run: {type(error).__name__}: {error}"
            ) from error
        return timings
