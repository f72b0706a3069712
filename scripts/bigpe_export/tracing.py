"""Tracing modules to TorchScript for the C++ runtime, with the checks that
catch a bad export before a worker loads it:
  - the output shapes on the example inputs are the ones the manifest
    promises;
  - the saved file reloads and gives the same outputs as the eager module;
  - when asked, the traced module also runs at another batch size (a trace
    that baked the batch size in fails there).
A TorchScript file must be written by the same torch version as the libtorch
that loads it (docs/models.md).
"""
import torch


class ExportError(RuntimeError):
    pass


def _shapes(value):
    if isinstance(value, torch.Tensor):
        return [list(value.shape)]
    if isinstance(value, (tuple, list)):
        out = []
        for v in value:
            out.extend(_shapes(v))
        return out
    raise ExportError("module output must be a tensor or a tuple of tensors, got %s" % type(value).__name__)


def _flat(value):
    return [value] if isinstance(value, torch.Tensor) else [t for v in value for t in _flat(v)]


def check_shapes(name, output, expected):
    """expected: one shape or a list of shapes (for tuple outputs); -1 is
    any size."""
    got = _shapes(output)
    if expected and isinstance(expected[0], int):
        expected = [expected]
    ok = len(got) == len(expected) and all(
        len(g) == len(e) and all(x == y or y == -1 for x, y in zip(g, e)) for g, e in zip(got, expected))
    if not ok:
        raise ExportError("%s: expected output shape(s) %s, got %s" % (name, expected, got))


def export_module(module, example_inputs, path, expected_shapes, script=False, other_inputs=None,
                  other_shapes=None, tolerance=1e-4):
    """Traces (or scripts) `module`, checks it and saves it to `path`.
    example_inputs: a tuple of tensors. other_inputs/other_shapes: a second
    probe, usually another batch size. Returns the reloaded module."""
    module = module.eval()
    with torch.no_grad():
        eager = module(*example_inputs)
        check_shapes(path, eager, expected_shapes)
        if script:
            compiled = torch.jit.script(module)
        else:
            compiled = torch.jit.trace(module, example_inputs, check_trace=False)
        # Not frozen: the runtime casts parameters to the device's dtype.
        torch.jit.save(compiled, path)
        loaded = torch.jit.load(path, map_location=example_inputs[0].device)
        again = loaded(*example_inputs)
        check_shapes(path + " (reloaded)", again, expected_shapes)
        for a, b in zip(_flat(eager), _flat(again)):
            diff = (a.float() - b.float()).abs().max().item() if a.numel() else 0.0
            if not diff <= tolerance:
                raise ExportError("%s: reloaded module differs from the eager one by %g" % (path, diff))
        if other_inputs is not None:
            try:
                out = loaded(*other_inputs)
            except Exception as e:  # a trace with baked shapes fails here
                raise ExportError("%s: the traced module does not run on inputs %s: %s"
                                  % (path, [list(t.shape) for t in other_inputs], str(e).splitlines()[0]))
            check_shapes(path + " (other inputs)", out, other_shapes)
    return loaded
