"""scripts/mmcv_flavour.py: which mmcv build the set-up makes, from faked probes."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / 'scripts' / 'mmcv_flavour.py'
spec = importlib.util.spec_from_file_location('mmcv_flavour', SCRIPT)
flavour = importlib.util.module_from_spec(spec)
sys.modules['mmcv_flavour'] = flavour
spec.loader.exec_module(flavour)
Probe, decide, FlavourError = flavour.Probe, flavour.decide, flavour.FlavourError

H100 = ((9, 0),)


def test_no_gpu_is_cpu_even_with_a_cuda_torch_and_nvcc():
    result = decide(Probe('13.0', (), '13.0'), {})
    assert (result.name, result.force_cuda, result.arch_list) == ('cpu', False, None)


def test_gpu_with_matching_nvcc_builds_cuda_ops_for_its_arch():
    result = decide(Probe('13.0', H100, '13.0'), {})
    assert result == flavour.Flavour('cu13.0-sm90', True, '9.0')


def test_nvcc_minor_version_may_differ_but_not_major():
    assert decide(Probe('12.8', H100, '12.4'), {}).force_cuda
    with pytest.raises(FlavourError, match=r'nvcc 11\.8 was found.*CUDA 12\.x'):
        decide(Probe('12.8', H100, '11.8'), {})


def test_gpu_without_nvcc_says_what_to_install():
    with pytest.raises(FlavourError, match='no nvcc was found') as error:
        decide(Probe('13.0', H100, None), {})
    assert 'CUDA_HOME' in str(error.value) and 'DAR_MMCV_FLAVOUR=cpu' in str(error.value)


def test_user_arch_list_wins_and_names_the_flavour():
    result = decide(Probe('13.0', H100, '13.0'), {'TORCH_CUDA_ARCH_LIST': '8.0;9.0+PTX'})
    assert result.arch_list == '8.0;9.0+PTX' and result.name == 'cu13.0-sm80_90pPTX'


def test_two_gpu_kinds_build_for_both():
    assert decide(Probe('13.0', ((8, 0), (9, 0), (9, 0)), '13.0'), {}).arch_list == '8.0;9.0'


def test_forced_cpu_and_bad_forcing():
    assert decide(Probe('13.0', H100, None), {'DAR_MMCV_FLAVOUR': 'cpu'}).name == 'cpu'
    with pytest.raises(FlavourError, match='must be cpu or cuda'):
        decide(Probe('13.0', H100, '13.0'), {'DAR_MMCV_FLAVOUR': 'gpu'})
    with pytest.raises(FlavourError, match='CPU-only build'):
        decide(Probe(None, H100, '13.0'), {})
    with pytest.raises(FlavourError, match='TORCH_CUDA_ARCH_LIST'):
        decide(Probe('13.0', (), '13.0'), {'DAR_MMCV_FLAVOUR': 'cuda'})


def test_script_on_this_machine_prints_shell_assignments():
    # The test machines have no GPU: the real probe must say cpu.
    pytest.importorskip('torch')
    import torch

    if torch.cuda.is_available():
        pytest.skip('a GPU is visible')
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines() == ['FLAVOUR=cpu', 'FORCE_CUDA=0', "TORCH_CUDA_ARCH_LIST=''"]
