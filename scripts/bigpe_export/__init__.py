"""Helpers shared by the model exporters (scripts/export_sd.py,
scripts/export_hpsv2.py) and scripts/make_tiny_models.py: tracing a module
to TorchScript with checks, and writing the model folder's manifest.yaml
(docs/models.md). They need only torch, so they are tested without
diffusers or open_clip."""
