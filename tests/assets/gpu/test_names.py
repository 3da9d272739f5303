import polars as pl
import pytest

from assets.gpu.names import canonical_gpu, read_gpu_models
from pipelines.errors import SourceFormatError


@pytest.mark.parametrize(
    ("name", "family", "model"),
    [
        ("H100 SXM", "H100", "H100 SXM"),  # Vast gpu_name, RunPod displayName
        ("NVIDIA H100 80GB HBM3", "H100", "H100 SXM"),  # RunPod id
        ("H100_80GB_SXM5", "H100", "H100 SXM"),  # Prime Intellect series
        ("ND H100 v5", "H100", "H100 SXM"),  # Azure series
        ("Virtual Machines NDsr H100 v5 Series", "H100", "H100 SXM"),  # Azure productName
        ("NVIDIA H100 SXM5 80GB", "H100", "H100 SXM"),  # Epoch
        ("H100 PCIE", "H100", "H100 PCIe"),
        ("NVIDIA H100 NVL", "H100", "H100 NVL"),
        ("Standard_NC40ads_H100_v5", "H100", "H100 NVL"),
        ("NVIDIA H200", "H200", "H200 SXM"),
        ("H200 NVL", "H200", "H200 NVL"),
        ("NVIDIA A100-SXM4-40GB", "A100", "A100 SXM"),
        ("A100_80GB_PCIe", "A100", "A100 PCIe"),
        ("NVIDIA GB200", "GB200", "GB200"),
        ("GH200_96GB", "GH200", "GH200"),
        ("AMD Instinct MI300X OAM", "MI300X", "MI300X"),
        (
            "NVIDIA RTX PRO 6000 Blackwell Server Edition MIG 1g.24gb",
            "RTX PRO 6000 MIG",
            "RTX PRO 6000 MIG slice",
        ),
    ],
)
def test_one_chip_one_name_across_providers(gpu_models, name, family, model):
    found = canonical_gpu(pl.Series([name]), gpu_models).struct.unnest().row(0)
    assert found == (family, model)


def test_die_names_and_unknown_chips_match_nothing(gpu_models):
    # GH100 is the die inside the H100, not a product; no boundary between G and H100.
    found = canonical_gpu(pl.Series(["NVIDIA GH100", "Cambricon MLU370-X8", None]), gpu_models)
    assert found.null_count() == 3


def test_works_as_an_expression_inside_a_frame(gpu_models):
    frame = pl.DataFrame({"name": ["Tesla V100-SXM2-16GB", "RTX 4090"]})
    out = frame.with_columns(gpu=canonical_gpu(pl.col("name"), gpu_models)).unnest("gpu")
    assert out["gpu_model"].to_list() == ["V100 SXM2", "RTX 4090"]


def test_a_broken_pattern_in_the_seed_names_its_line(tmp_path):
    seed = tmp_path / "gpu_models.csv"
    seed.write_text(
        "provider_name_pattern,gpu_family,gpu_model,note\n\\bH100\\b,H100,H100,\n(H200,H200,H200,unclosed\n"
    )
    with pytest.raises(SourceFormatError, match="line 3"):
        read_gpu_models(seed)


def test_instance_seed_counts_gpus_per_instance(instance_types):
    rows = {(r["provider"], r["instance_type"]): r for r in instance_types.iter_rows(named=True)}
    assert rows[("aws", "p5.48xlarge")]["gpu_count"] == 8
    assert rows[("aws", "p5en.48xlarge")]["gpu_model"] == "H200 SXM"
    assert rows[("aws", "p6-b200.48xlarge")]["gpu_family"] == "B200"
    assert rows[("azure", "Standard_ND96isr_H100_v5")]["gpu_count"] == 8
    assert instance_types.filter(pl.col("note").is_null()).is_empty()  # every row says where it comes from
