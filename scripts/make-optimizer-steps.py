#!/usr/bin/python3
"""Regenerates the optimizer steps Fovea's trainer loads (fovea-djl/src/main/resources/dev/fovea/djl/):

  adam-step.pt   Adam and AdamW over all parameters in one call: PyTorch's fused multi-tensor kernel
                 (torch._fused_adam_), with AdamW's decoupled decay applied to all parameters first
  sgd-step.pt    SGD with momentum, dampening 0, Nesterov and L2 weight decay, through PyTorch's multi-tensor
                 (_foreach) operations

Both are TorchScript modules whose forward takes lists of tensors (parameters, their gradients, the optimizer's
state) and updates them in place, then zeroes the gradients. Java calls each once per training step: DJL's own
optimizers make several native calls per parameter, which made the optimizer step several times slower than
Python's (see bench/README.md). The semantics are PyTorch's torch.optim.Adam/AdamW/SGD; FoveaOptimizerTest checks
them against a step computed by hand.

TorchScript stores the code, not compiled kernels: the files are scripted with Debian's python3-torch (1.13) and
compiled again by the PyTorch that DJL loads (2.7.1), whose fused Adam has a CPU kernel.
  /usr/bin/python3 scripts/make-optimizer-steps.py
"""
import os
from typing import List

import torch

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   "fovea-djl", "src", "main", "resources", "dev", "fovea", "djl")


class AdamStep(torch.nn.Module):
    def forward(self, params: List[torch.Tensor], grads: List[torch.Tensor], exp_avgs: List[torch.Tensor],
                exp_avg_sqs: List[torch.Tensor], steps: List[torch.Tensor], lr: float, beta1: float, beta2: float,
                eps: float, weight_decay: float, decoupled: bool) -> int:
        torch._foreach_add_(steps, 1.0)
        if decoupled and weight_decay != 0.0:
            torch._foreach_mul_(params, 1.0 - lr * weight_decay)
        torch._fused_adam_(params, grads, exp_avgs, exp_avg_sqs, [], steps, lr=lr, beta1=beta1, beta2=beta2,
                           weight_decay=0.0 if decoupled else weight_decay, eps=eps, amsgrad=False, maximize=False)
        torch._foreach_zero_(grads)
        return len(params)


class SgdStep(torch.nn.Module):
    def forward(self, params: List[torch.Tensor], grads: List[torch.Tensor], buffers: List[torch.Tensor],
                lr: float, momentum: float, nesterov: bool, weight_decay: float) -> int:
        update = grads
        if weight_decay != 0.0:
            update = torch._foreach_add(grads, params, alpha=weight_decay)
        if momentum != 0.0:
            # buffers start at zero, so the first step leaves buffer = gradient, as PyTorch's clone does
            torch._foreach_mul_(buffers, momentum)
            torch._foreach_add_(buffers, update)
            if nesterov:
                update = torch._foreach_add(update, buffers, alpha=momentum)
            else:
                update = buffers
        torch._foreach_add_(params, update, alpha=-lr)
        torch._foreach_zero_(grads)
        return len(params)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, module in (("adam-step.pt", AdamStep()), ("sgd-step.pt", SgdStep())):
        path = os.path.join(OUT, name)
        torch.jit.script(module).save(path)
        print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
