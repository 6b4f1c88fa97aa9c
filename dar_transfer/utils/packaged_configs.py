"""The configs shipped inside the package, and the ``dar_transfer::`` config scope.

The repository's top-level ``configs/`` is the one copy of the toolkit's configs. The
package reaches it where OpenMMLab packages keep theirs, ``dar_transfer/.mim/configs``:
in a checkout (and so in an editable install) that is a symlink to ``../../configs``, and
a wheel carries the files themselves (``pyproject.toml``'s package data follows the
link). Code finds a config of ours with :func:`config_path`, never relative to its own
file, so it works the same from a checkout and from an installed wheel.

A config of your own, in any folder, inherits ours the way mmdet's are inherited::

    _base_ = 'dar_transfer::pretrain/imagenet/resnet50_8xb32-120e_in1k_dar.py'

mmengine 0.10.7 resolves ``pkg::path`` only for the packages named in
``mmengine.config.utils.MODULE2PACKAGE``, and reads ``_base_`` before it imports the
config's ``custom_imports``. So ``dar_transfer`` must be imported before the config is
read; importing it (any of its modules) adds the entry (:func:`register_config_scope`).

- In Python: ``import dar_transfer``, then ``Config.fromfile('my_config.py')``.
- ``dar-transfer pretrain my_config.py`` imports it for you; it also takes a packaged
  config by name, ``dar-transfer pretrain dar_transfer::pretrain/cifar10/...``.
- OpenMMLab's own ``tools/train.py`` and ``tools/test.py`` (mmdet, mmseg, mmpose,
  mmpretrain) never import it, and neither ``custom_imports`` (read after ``_base_``) nor
  ``--cfg-options`` (applied after the file is read) can. Run the script through
  :mod:`dar_transfer.run_tool`, which imports ``dar_transfer`` first::

      python -m dar_transfer.run_tool tools/train.py my_config.py --work-dir work_dirs/x
      torchrun --nproc-per-node 8 -m dar_transfer.run_tool tools/train.py my_config.py \\
          --launcher pytorch

  (an installed mmdet carries its ``tools/train.py`` in ``mmdet/.mim/tools/``).

Dicts inherited from a ``pkg::`` base are built under ``_scope_=pkg`` (mmengine's rule):
:mod:`dar_transfer.registry` gives that scope its registries, and our data configs name
``scoped_default_collate``, since mmengine hands a ``collate_fn`` dict's keys, ``_scope_``
included, to the function (:mod:`dar_transfer.pretrain.collate`).
"""
from __future__ import annotations

from pathlib import Path

SCOPE = 'dar_transfer'
# A module directly in the package folder (see register_config_scope); it is also the
# module mmengine imports for the scope's registries.
SCOPE_MODULE = 'dar_transfer.registry'
# The package folder; its .mim/configs is the symlink (checkout) or the files (wheel).
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def config_root() -> Path:
    """The folder of the packaged configs, symlinks resolved (in a checkout: ``configs/``).

    Raises:
        FileNotFoundError: when the package was installed without its configs.
    """
    root = PACKAGE_DIR / '.mim' / 'configs'
    if not root.is_dir():
        raise FileNotFoundError(
            f'the packaged configs are missing: {root} is not a folder. Reinstall '
            'dar-transfer from a wheel or the repository (in a checkout it is a symlink to '
            '../../configs)')
    return root.resolve()


def config_path(name: str) -> Path:
    """The packaged config ``name``, relative to ``configs/``, with or without the scope.

    ``config_path('campaigns/demo.py')`` and ``config_path('dar_transfer::campaigns/
    demo.py')`` are the same file: ``configs/campaigns/demo.py`` in a checkout,
    ``.../site-packages/dar_transfer/.mim/configs/campaigns/demo.py`` from a wheel.

    Raises:
        FileNotFoundError: when there is no such packaged config.
    """
    relative = name.removeprefix(f'{SCOPE}::')
    root = config_root()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file():
        raise FileNotFoundError(f'no packaged config {name!r}: {path} is not a file under '
                                f'{root}')
    return path


def resolve_config(name: str) -> str:
    """A config argument as a file path: ``dar_transfer::...`` becomes the packaged
    file (mmengine's ``Config.fromfile`` takes scopes only in ``_base_``); any other
    path is returned unchanged."""
    return str(config_path(name)) if name.startswith(f'{SCOPE}::') else name


def register_config_scope() -> None:
    """Let mmengine resolve ``dar_transfer::`` in ``_base_``; idempotent.

    mmengine has no function for this: ``MODULE2PACKAGE`` (scope -> package) is the
    table its config loader and registries consult, a registry of config scopes in all
    but name, so this adds our entry to it as a registry decorator adds a class, and
    replaces nothing.

    The value is a module, not the distribution ``dar-transfer``, on purpose. mmengine
    reads configs from ``get_installed_path(value)/.mim/configs``, and that function
    tries the value as a distribution first: for an editable install it then answers
    ``site-packages/dar_transfer``, a folder that does not exist. A name that is no
    distribution sends it to its fallback, ``importlib.util.find_spec(value)``, whose
    file's folder is the package folder of the ``dar_transfer`` that is imported: the
    checkout (editable), ``site-packages`` (wheel) or a ``PYTHONPATH`` folder alike.
    """
    from mmengine.config import utils

    utils.MODULE2PACKAGE.setdefault(SCOPE, SCOPE_MODULE)
