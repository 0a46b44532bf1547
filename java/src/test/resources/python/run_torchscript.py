"""Runs an exported Fidelio TorchScript model (torch.jit.load) on input tensors written by the Java
test ({"int64": {name: values}, "float32": {name: values}}), with and without explicit attention
masks, and writes every output tensor as JSON.
Usage: run_torchscript.py EXPORT_DIR INPUTS_JSON OUTPUTS_JSON"""
import json
import sys

import torch

export_dir, inputs_file, outputs_file = sys.argv[1:4]
model = torch.jit.load(f"{export_dir}/model.pt")
model.eval()
contract = json.load(open(f"{export_dir}/torchscript_contract.json"))
given = json.load(open(inputs_file))
inputs = {name: torch.tensor(value, dtype=torch.int64) for name, value in given.get("int64", {}).items()}
inputs.update({name: torch.tensor(value, dtype=torch.float32) for name, value in given.get("float32", {}).items()})
with torch.no_grad():
    out = model(inputs)
    # The mask is optional: derived from the padding it must give the same answer.
    unmasked = model({k: v for k, v in inputs.items() if not k.endswith("_attention_mask")})
result = {name: tensor.to(torch.float64).tolist() for name, tensor in out.items()}
result["max_abs_difference_without_mask"] = max(
    (out[k].to(torch.float64) - unmasked[k].to(torch.float64)).abs().max().item() for k in out)
result["state_keys"] = list(model.state_dict().keys())
result["torch_version"] = torch.__version__
json.dump(result, open(outputs_file, "w"))
