"""Whether a usable mmpretrain is installed, with an error that says how to get one."""
from __future__ import annotations

from mmengine.utils import digit_version

# The range the heads are tested with (they override ClsHead._get_loss).
MIN_VERSION = '1.2.0'
MAX_VERSION = '1.3.0'  # exclusive
INSTALL_HINT = 'pip install -e .[mmpretrain]'


class MissingExtraError(RuntimeError):
    """mmpretrain (the ``mmpretrain`` extra of dar-transfer) is missing or unusable.

    A ``RuntimeError``, not an ``ImportError``: mmengine's ``custom_imports`` replaces
    the message of any ``ImportError`` with advice about ``PYTHONPATH``, which would
    hide the install command this error carries.
    """


def require_mmpretrain() -> str:
    """Import mmpretrain and check its version; returns the version.

    Raises:
        MissingExtraError: mmpretrain is not installed, fails to import (it asserts its
            own mmcv and mmengine ranges, and needs einops, mat4py, modelindex and
            importlib-metadata), or is outside ``>=1.2.0,<1.3.0``.
    """
    wanted = f'mmpretrain>={MIN_VERSION},<{MAX_VERSION}'
    try:
        import mmpretrain
    except (ImportError, AssertionError) as error:
        raise MissingExtraError(
            f'dar_transfer.mmpretrain needs {wanted}, the optional extra of dar-transfer; '
            f'install it from the dar-transfer checkout with: {INSTALL_HINT} '
            f'(importing mmpretrain failed: {type(error).__name__}: {error})') from error
    version = getattr(mmpretrain, '__version__', 'unknown')
    try:
        supported = digit_version(MIN_VERSION) <= digit_version(version) < digit_version(
            MAX_VERSION)
    except (AssertionError, ValueError, TypeError):
        supported = False
    if not supported:
        raise MissingExtraError(
            f'dar_transfer.mmpretrain needs {wanted}, found mmpretrain {version}; install '
            f'the tested version from the dar-transfer checkout with: {INSTALL_HINT}')
    return version
