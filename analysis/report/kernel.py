"""The kernels that run the report's notebooks: which interpreter, where they talk.

`make install` registers the Jupyter kernel ``arabic-themes`` in the checkout's virtual
environment, and the build uses it. A package installed with pip registers no kernel: rather
than fail, or start whatever ``python3`` kernel Jupyter finds first (perhaps another
environment, without this package), the build then starts its kernels with the interpreter it
runs in, the one the package was installed into.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from traitlets import default
from traitlets.config import Config

# What the report calls the kernel when no registered one is used.
THIS_INTERPRETER = "this-interpreter"


class ThisInterpreterSpecs(KernelSpecManager):
    """Kernel specs with one kernel, whatever its name: ipykernel on ``sys.executable``."""

    def find_kernel_specs(self) -> dict[str, str]:
        return {THIS_INTERPRETER: sys.prefix}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python ({sys.executable})",
            language="python",
            resource_dir=sys.prefix,
        )


class ThisInterpreterKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, starting kernels on the running interpreter."""

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return ThisInterpreterSpecs()


def is_registered(kernel_name: str) -> bool:
    """Whether Jupyter knows a kernel called ``kernel_name``."""
    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        return False
    return True


def kernel_choice(kernel_name: str) -> tuple[str, type[AsyncKernelManager]]:
    """(name, kernel manager class) for nbclient: ``kernel_name`` if registered, else ours."""
    if is_registered(kernel_name):
        return kernel_name, AsyncKernelManager
    return THIS_INTERPRETER, ThisInterpreterKernelManager


def kernel_environment() -> dict[str, str]:
    """The kernel's environment: headless matplotlib and reproducible hashing."""
    return {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}


def kernel_config(sockets: Path) -> Config:
    """Kernels talk over Unix sockets in a private folder where the platform has them.

    The default, TCP on localhost, opens ports any local user can reach, and the kernel says
    so in a warning on every build.
    """
    config = Config()
    if sys.platform != "win32":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(sockets / "k")
    # The connection file too, so that a killed build leaves nothing in Jupyter's runtime dir.
    config.KernelManager.connection_file = str(sockets / "kernel.json")
    return config
