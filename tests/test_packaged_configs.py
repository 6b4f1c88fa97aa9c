"""Packaged configs and the ``dar_transfer::`` scope: a config outside the repository
inherits ours once ``dar_transfer`` is imported, its components build in that scope, the
demo finds its manifest through the package, and a wheel carries the configs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import mmengine.registry
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DATA_SAMPLERS, FUNCTIONS, HOOKS, Registry

import dar_transfer
from dar_transfer import DaRHook, DaRSampler, run_tool
from dar_transfer.utils.packaged_configs import (
    PACKAGE_DIR,
    config_path,
    config_root,
    resolve_config,
)

REPO = Path(__file__).resolve().parents[1]
DAR_R50 = 'pretrain/imagenet/resnet50_8xb32-120e_in1k_dar.py'
USER_CONFIG = f"""_base_ = 'dar_transfer::{DAR_R50}'
train_dataloader = dict(batch_size=64)
"""


def test_the_package_reaches_the_one_copy_of_the_configs():
    # A symlink, not a copy: configs/ stays where users look for it.
    link = PACKAGE_DIR / '.mim' / 'configs'
    assert link.is_symlink() and os.readlink(link) == '../../configs'
    assert config_root() == REPO / 'configs'
    assert config_path(DAR_R50) == REPO / 'configs' / DAR_R50
    assert config_path(f'dar_transfer::{DAR_R50}') == config_path(DAR_R50)


@pytest.mark.parametrize('name', ['pretrain/nope.py', '../pyproject.toml', 'pretrain'])
def test_config_path_names_what_is_missing(name):
    with pytest.raises(FileNotFoundError, match=f'no packaged config {name!r}'):
        config_path(name)


def test_resolve_config_maps_only_our_scope():
    assert resolve_config(f'dar_transfer::{DAR_R50}') == str(REPO / 'configs' / DAR_R50)
    assert resolve_config('my_config.py') == 'my_config.py'


def test_user_config_outside_the_repository_inherits_ours(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path('my_config.py').write_text(USER_CONFIG)
    cfg = Config.fromfile('my_config.py')
    assert cfg.train_dataloader.batch_size == 64  # the user's layer on top
    sampler = cfg.train_dataloader.sampler
    assert sampler.type == 'DaRSampler' and sampler.keep_ratio == 0.95
    assert [hook.type for hook in cfg.custom_hooks] == ['DaRHook', 'FiniteLossHook']
    assert cfg.default_scope == 'mmengine'
    # mmengine's rule for a package base: its dicts are built in the package's scope.
    assert sampler._scope_ == 'dar_transfer'


def test_every_mmengine_root_registry_has_a_dar_transfer_child():
    import dar_transfer.registry  # noqa: F401  (what mmengine imports for the scope)

    roots = [value for value in vars(mmengine.registry).values()
             if isinstance(value, Registry) and value.parent is None]
    assert len(roots) >= 20
    missing = [root.name for root in roots if 'dar_transfer' not in root.children]
    assert not missing, f'add these to dar_transfer/registry.py: {missing}'


def test_inherited_components_build_in_the_dar_transfer_scope(tmp_path):
    (tmp_path / 'my_config.py').write_text(USER_CONFIG)
    cfg = Config.fromfile(tmp_path / 'my_config.py')
    # The scope's own registry is found (mmengine warns and falls back when it is not),
    # and lookups fall through to mmengine's roots where the components are registered.
    with DATA_SAMPLERS.switch_scope_and_registry('dar_transfer') as registry:
        assert registry.scope == 'dar_transfer' and registry.parent is DATA_SAMPLERS
    sampler = DATA_SAMPLERS.build(cfg.train_dataloader.sampler,
                                  default_args={'dataset': list(range(10)), 'seed': 0})
    assert type(sampler) is DaRSampler
    assert type(HOOKS.build(cfg.custom_hooks[0])) is DaRHook
    # Runner.build_dataloader calls the collate function with the dict's other keys.
    collate = dict(cfg.train_dataloader.collate_fn)
    function = FUNCTIONS.get(collate.pop('type'))
    batch = function([{'x': torch.zeros(2)}, {'x': torch.ones(2)}], **collate)
    assert collate == {'_scope_': 'dar_transfer'} and batch['x'].shape == (2, 2)


def test_run_tool_runs_a_script_as_main_with_its_arguments(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, 'argv', list(sys.argv))
    monkeypatch.setattr(sys, 'path', list(sys.path))
    (tmp_path / 'my_config.py').write_text(USER_CONFIG)
    tools = tmp_path / 'tools'
    tools.mkdir()
    # What OpenMMLab's tools/train.py does first: read the config named on its command line.
    (tools / 'train.py').write_text(textwrap.dedent("""\
        import sys
        from pathlib import Path
        from mmengine.config import Config

        if __name__ == '__main__':
            cfg = Config.fromfile(sys.argv[1])
            Path(sys.argv[2]).write_text(cfg.train_dataloader.sampler.type)
        """))
    out = tmp_path / 'out.txt'
    assert run_tool.main([str(tools / 'train.py'), str(tmp_path / 'my_config.py'),
                          str(out)]) == 0
    assert out.read_text() == 'DaRSampler'
    assert sys.path[0] == str(tools)  # as `python tools/train.py` would have it


def test_run_tool_usage(tmp_path, capsys):
    assert run_tool.main([]) == 2
    assert run_tool.main([str(tmp_path / 'train.py')]) == 2
    assert f'script {tmp_path / "train.py"} not found' in capsys.readouterr().err


def test_demo_manifest_comes_from_the_package(tmp_path):
    from dar_transfer.campaign.manifest import load_manifest
    from dar_transfer.demo.run import write_manifest, write_overlays

    write_overlays(tmp_path, quick=True)
    manifest = load_manifest(write_manifest(tmp_path, quick=True))
    for variant in manifest.variants:
        assert Path(variant.config).parent == config_root() / 'demo'


def test_pretrain_takes_a_packaged_config_by_name(capsys):
    from dar_transfer.cli import main

    with pytest.raises(SystemExit):
        main(['pretrain', 'dar_transfer::pretrain/nope.py'])
    assert "no packaged config 'dar_transfer::pretrain/nope.py'" in capsys.readouterr().err


def test_importing_dar_transfer_registers_the_scope():
    from mmengine.config.utils import MODULE2PACKAGE

    assert MODULE2PACKAGE['dar_transfer'] == 'dar_transfer.registry'
    assert dar_transfer.__file__.startswith(str(PACKAGE_DIR))


# -- from a wheel, outside the checkout ------------------------------------------------


def _build_wheel(tmp_path: Path) -> Path:
    """``pip wheel`` of a copy of what the package is built from, so the build leaves
    no build/ or egg-info behind in the checkout (the symlink is copied as a symlink)."""
    source = tmp_path / 'source'
    source.mkdir()
    for name in ('pyproject.toml', 'README.md'):
        shutil.copy2(REPO / name, source / name)
    skip = shutil.ignore_patterns('__pycache__', '*.egg-info')
    for name in ('dar_transfer', 'configs'):
        shutil.copytree(REPO / name, source / name, symlinks=True, ignore=skip)
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
                    '--no-build-isolation', str(source), '-w', str(tmp_path / 'dist')],
                   check=True, cwd=tmp_path)
    [wheel] = (tmp_path / 'dist').glob('dar_transfer-*.whl')
    return wheel


def _fresh_environment(tmp_path: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed and the test environment's
    libraries visible through a .pth line. That folder is not a site folder there, so its
    own .pth files, the editable install's among them, are not read: ``dar_transfer``
    can only come from the wheel. Returns the environment's bin folder."""
    env = tmp_path / 'env'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(env)], check=True)
    [site] = (env / 'lib').glob('python3.*/site-packages')
    stack = next(p for p in map(Path, sys.path) if p.name == 'site-packages')
    (site / 'stack.pth').write_text(f'{stack}\n')
    subprocess.run([sys.executable, '-m', 'pip', '--python', str(env / 'bin' / 'python'),
                    'install', '-q', '--no-deps', str(wheel)], check=True)
    return env / 'bin'


CHECK_INSTALLED = f"""
import sys
from pathlib import Path

import dar_transfer
from mmengine.config import Config

from dar_transfer.campaign.manifest import load_manifest
from dar_transfer.demo.run import write_manifest, write_overlays

package = Path(dar_transfer.__file__).parent
assert Path(sys.prefix) in package.parents, package
assert {str(REPO)!r} not in str(package.resolve()), package
cfg = Config.fromfile('my_config.py')
assert cfg.train_dataloader.sampler.type == 'DaRSampler', cfg.train_dataloader.sampler
write_overlays(Path('m').resolve(), quick=True)
for variant in load_manifest(write_manifest(Path('m').resolve(), quick=True)).variants:
    assert package in Path(variant.config).parents, variant.config
print('ok', package)
"""
# What a user of OpenMMLab's tools/train.py writes: our toy DaR pretraining, shortened,
# on the data the demo generated.
TOOL_CONFIG = """_base_ = 'dar_transfer::demo/resnet18_pretrain_toy_dar.py'
data_root = 'd/data/imagenet'
model = dict(num_classes=4)
train_dataloader = dict(batch_size=8, dataset=dict(data_root=data_root),
                        sampler=dict(warmup_epochs=1, keep_ratio=0.5, refresh_epochs=[]))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=2, val_interval=2)
param_scheduler = dict(milestones=[1])
default_hooks = dict(checkpoint=dict(interval=2))
"""


def _run_demo_until_first_job(bin_dir: Path, cwd: Path, env: dict) -> str:
    """Start ``dar-transfer demo --quick``, stop it (SIGTERM, as Ctrl-C) once its first
    job, a pretraining from a packaged config, is done; returns what it printed."""
    demo = subprocess.Popen([bin_dir / 'dar-transfer', 'demo', '--quick', '--out', 'd',
                             '--jobs', '1'], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    first = cwd / 'd' / 'jobs' / 'pretrain.baseline.s0.json'
    deadline = time.monotonic() + 300
    try:
        while demo.poll() is None and time.monotonic() < deadline:
            if first.is_file() and '"done"' in first.read_text():
                break
            time.sleep(0.5)
    finally:
        demo.terminate()  # the demo stops its running job and keeps the finished ones
        output = demo.communicate(timeout=120)[0]
    assert first.is_file() and json.loads(first.read_text())['state'] == 'done', output
    return output


@pytest.mark.slow
def test_wheel_runs_outside_the_checkout(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    prefix = 'dar_transfer/.mim/configs/'
    shipped = sorted(n.removeprefix(prefix) for n in names if n.startswith(prefix))
    assert shipped == sorted(str(p.relative_to(REPO / 'configs'))
                             for p in (REPO / 'configs').rglob('*.py'))
    assert 'dar_transfer/.mim/model-index.yml' in names
    bin_dir = _fresh_environment(tmp_path, wheel)
    user = tmp_path / 'user'  # an empty folder, as a new user's
    user.mkdir()
    (user / 'my_config.py').write_text(USER_CONFIG)
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    check = subprocess.run([bin_dir / 'python', '-c', CHECK_INSTALLED], cwd=user, env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.startswith('ok '), check.stderr

    output = _run_demo_until_first_job(bin_dir, user, env)
    assert 'pretrain.baseline.s0' in output

    # OpenMMLab's own tools/train.py (mmdet ships it) trains a config inheriting ours,
    # run through dar_transfer.run_tool; plain `python tools/train.py` cannot read it.
    import mmdet

    train = Path(mmdet.__file__).parent / '.mim' / 'tools' / 'train.py'
    (user / 'my_dar.py').write_text(TOOL_CONFIG)
    plain = subprocess.run([bin_dir / 'python', train, 'my_dar.py', '--work-dir', 'w'],
                           cwd=user, env=env, capture_output=True, text=True)
    assert plain.returncode != 0
    assert 'mmengine does not support to load dar_transfer config' in plain.stderr
    tool = subprocess.run([bin_dir / 'python', '-m', 'dar_transfer.run_tool', train,
                           'my_dar.py', '--work-dir', 'w'], cwd=user, env=env,
                          capture_output=True, text=True)
    assert tool.returncode == 0, tool.stdout[-3000:] + tool.stderr[-3000:]
    log = [json.loads(line) for line in (user / 'w' / 'dar_log.jsonl').read_text().splitlines()]
    assert [row['subset_size'] for row in log] == [48, 48]
    assert 'Failed to search registry' not in tool.stdout + tool.stderr
