"""`make package-report`: a function's unzipped size is its built code plus every layer it uses, built or not."""

from __future__ import annotations

from pathlib import Path

from invoicing_infra.package_report import MB, function_sizes, main
from invoicing_infra.template import Template

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.11
    Layers: [!Ref DepsLayer, !Ref SharedLayer]
Resources:
  DepsLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/deps/}
    Metadata: {BuildMethod: python3.11}
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/shared/}
  BigLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/big/}
    Metadata: {BuildMethod: python3.11}
  SmallFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: functions/small/, Handler: app.handler}
  BigFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/big/
      Handler: app.handler
      Layers: [!Ref DepsLayer, !Ref SharedLayer, !Ref BigLayer]
"""


def write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def project(tmp_path: Path, big_layer_bytes: int) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    build = tmp_path / ".aws-sam" / "build"
    write(build / "SmallFunction" / "app.py", 1_000)
    write(build / "BigFunction" / "app.py", 2_000)
    write(build / "DepsLayer" / "python" / "a" / "lib.so", 30_000)
    write(build / "BigLayer" / "python" / "big.bin", big_layer_bytes)
    source = tmp_path / "layers" / "deps" / "requirements.in"
    write(source, 999_999)  # the source of a built layer is not what is uploaded
    write(tmp_path.joinpath("layers", "shared", "python", "invoicing", "x.py"), 500)  # no BuildMethod: uploaded as is
    return build


def test_sizes_add_built_code_built_layers_and_unbuilt_layer_sources(tmp_path: Path) -> None:
    build = project(tmp_path, 70_000)

    sizes = {size.logical_id: size for size in function_sizes(Template.load(tmp_path / "template.yaml"), build)}

    assert sizes["SmallFunction"].total == 1_000 + 30_000 + 500
    assert sizes["BigFunction"].layers == {"DepsLayer": 30_000, "SharedLayer": 500, "BigLayer": 70_000}
    assert sizes["BigFunction"].total == 2_000 + 30_000 + 500 + 70_000


def test_a_function_over_250_mb_fails_the_report(tmp_path: Path, capsys) -> None:
    build = project(tmp_path, 0)
    with (build / "BigLayer" / "python" / "big.bin").open("wb") as sparse:
        sparse.truncate(251 * MB)

    assert main(["--template", str(tmp_path / "template.yaml"), "--build-dir", str(build)]) == 1
    assert "over Lambda's 250 MB unzipped limit: BigFunction" in capsys.readouterr().err


def test_a_missing_build_is_reported(tmp_path: Path, capsys) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)

    assert main(["--template", str(tmp_path / "template.yaml"), "--build-dir", str(tmp_path / "nothing")]) == 1
    assert "run `make sam-build` first" in capsys.readouterr().err


def test_a_built_layer_with_other_versions_than_its_lock_fails_the_report(tmp_path: Path, capsys) -> None:
    build = project(tmp_path, 0)
    digest = "--hash=sha256:" + "0" * 64
    (tmp_path / "layers" / "deps" / "requirements.txt").write_text(f"babel==2.18.0 {digest}\n")
    dist_info = build / "DepsLayer" / "python" / "babel-2.19.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: Babel\nVersion: 2.19.0\n")

    assert main(["--template", str(tmp_path / "template.yaml"), "--build-dir", str(build)]) == 1
    assert "DepsLayer: built ['babel==2.19.0'], locked ['babel==2.18.0']" in capsys.readouterr().err
