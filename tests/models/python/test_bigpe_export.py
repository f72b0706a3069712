"""Tests of scripts/bigpe_export (the exporters' helpers) with small torch
modules standing in for diffusers / transformers / open_clip ones. Run by
tests/models/exporters_test.cpp with the Python that has torch."""
import os
import sys
import tempfile
import types
import unittest

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
from bigpe_export import manifest, requirements, scorers, sd, tracing, wrappers  # noqa: E402


class FakeClipText(nn.Module):
    """Answers like transformers' CLIPTextModel(WithProjection)."""

    def __init__(self, hidden=8, proj=4):
        super().__init__()
        self.emb = nn.Embedding(49408, hidden)
        self.layers = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(3)])
        self.norm = nn.LayerNorm(hidden)
        self.proj = nn.Linear(hidden, proj)

    def forward(self, ids, output_hidden_states=False, return_dict=True):
        h = self.emb(ids)
        states = [h]
        for layer in self.layers:
            h = torch.tanh(layer(h))
            states.append(h)
        last = self.norm(h)
        pooled = last[torch.arange(ids.shape[0]), ids.argmax(-1)]
        return types.SimpleNamespace(last_hidden_state=last, hidden_states=tuple(states),
                                     text_embeds=self.proj(pooled))


class FakeUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 1)

    def forward(self, x, t, encoder_hidden_states, added_cond_kwargs=None, return_dict=True):
        y = self.conv(x) + t.view(-1, 1, 1, 1) / 1000 + encoder_hidden_states.mean((1, 2)).view(-1, 1, 1, 1)
        if added_cond_kwargs is not None:
            y = y + added_cond_kwargs["text_embeds"].mean(1).view(-1, 1, 1, 1)
            y = y + added_cond_kwargs["time_ids"].mean(1).view(-1, 1, 1, 1) / 1024
        return (y,)


class FakeVae(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 3, 1)

    def decode(self, z, return_dict=True):
        return (torch.tanh(nn.functional.interpolate(self.conv(z), scale_factor=8.0)),)


class BakedBatch(nn.Module):
    """Reshapes with a Python int: a trace bakes the batch size in."""

    def forward(self, x):
        n = int(x.shape[0])
        return x.reshape(n, -1).sum(1).reshape(n, 1)


class TracingTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        torch.manual_seed(0)

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_text_encoder_wrappers_pick_the_right_states(self):
        model = FakeClipText()
        ids = wrappers.token_ids(2, "cpu")
        out = model(ids, output_hidden_states=True)
        self.assertTrue(torch.equal(wrappers.ClipHidden(model)(ids), out.last_hidden_state))
        self.assertTrue(torch.equal(wrappers.ClipHidden(model, layer=-2)(ids), out.hidden_states[-2]))
        hidden, pooled = wrappers.ClipHiddenAndPooled(model)(ids)
        self.assertTrue(torch.equal(hidden, out.hidden_states[-2]))
        self.assertEqual(list(pooled.shape), [2, 4])

    def test_export_checks_shapes_reload_and_other_batch(self):
        te = wrappers.ClipHiddenAndPooled(FakeClipText())
        loaded = tracing.export_module(te, (wrappers.token_ids(1, "cpu"),), self.path("te2.pt"), [[1, 77, 8], [1, 4]],
                                       other_inputs=(wrappers.token_ids(3, "cpu"),), other_shapes=[[3, 77, 8], [3, 4]])
        h, p = loaded(wrappers.token_ids(5, "cpu"))
        self.assertEqual(list(h.shape), [5, 77, 8])
        unet = wrappers.UNetXL(FakeUNet())
        args = lambda n: (torch.randn(n, 4, 8, 8), torch.full((n,), 999.0), torch.randn(n, 77, 8),  # noqa: E731
                          torch.randn(n, 4), torch.full((n, 6), 64.0))
        tracing.export_module(unet, args(2), self.path("unet.pt"), [2, 4, 8, 8], other_inputs=args(4),
                              other_shapes=[4, 4, 8, 8])
        tracing.export_module(wrappers.VaeDecoder(FakeVae()), (torch.randn(1, 4, 8, 8),), self.path("vae.pt"),
                              [1, 3, 64, 64], other_inputs=(torch.randn(2, 4, 8, 8),), other_shapes=[2, 3, 64, 64])

    def test_wrong_shape_is_refused(self):
        with self.assertRaisesRegex(tracing.ExportError, r"expected output shape\(s\) \[\[1, 77, 16\]\], got \[\[1, 77, 8\]\]"):
            tracing.export_module(wrappers.ClipHidden(FakeClipText()), (wrappers.token_ids(1, "cpu"),),
                                  self.path("te.pt"), [1, 77, 16])

    def test_baked_batch_size_is_refused(self):
        with self.assertRaisesRegex(tracing.ExportError, "does not run on inputs"):
            tracing.export_module(BakedBatch(), (torch.randn(2, 3),), self.path("b.pt"), [2, 1],
                                  other_inputs=(torch.randn(5, 3),), other_shapes=[5, 1])


class ManifestTest(unittest.TestCase):
    def test_sd_manifest_from_diffusers_configs(self):
        sdxl_scheduler = {"prediction_type": "epsilon", "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                          "beta_end": 0.012, "num_train_timesteps": 1000, "steps_offset": 1,
                          "timestep_spacing": "leading", "_class_name": "EulerDiscreteScheduler"}
        tree = sd.sd_manifest("sdxl-turbo", sdxl_scheduler, 0.13025, 768, 49407, "merges.txt", hidden_size_2=1280,
                              pooled_size=1280, vae_dtype="float32")
        self.assertEqual(tree["scheduler"]["timestep_spacing"], "trailing")
        self.assertEqual(tree["text_encoder_2"]["pad_id"], 0)
        self.assertEqual(tree["vae_decoder"]["dtype"], "float32")
        text = manifest.manifest_text(tree)
        self.assertIn("family: \"sdxl-turbo\"", text)
        self.assertIn("  latent_scale: 0.13025", text)

    def test_unsupported_schedulers_and_families_are_refused(self):
        with self.assertRaisesRegex(ValueError, "v_prediction"):
            sd.sd_manifest("sd2-v", {"prediction_type": "epsilon"}, 0.18215, 1024, 0, "m.txt")
        with self.assertRaisesRegex(ValueError, "prediction_type 'sample'"):
            sd.scheduler_settings({"prediction_type": "sample"}, "sd1")
        with self.assertRaisesRegex(ValueError, "unknown family"):
            sd.sd_manifest("sd3", {}, 1.0, 1, 0, "m.txt")
        with self.assertRaisesRegex(ValueError, "hidden_size_2"):
            sd.sd_manifest("sdxl", {}, 0.13025, 768, 49407, "m.txt")

    def test_manifest_text_checks_required_keys_and_dtypes(self):
        tree = sd.hps_manifest("v.gz", 1024)
        del tree["embed_dim"]
        with self.assertRaisesRegex(ValueError, "lacks embed_dim"):
            manifest.manifest_text(tree)
        tree = sd.hps_manifest("v.gz", 1024, dtype="float64")
        with self.assertRaisesRegex(ValueError, "dtype must be one of"):
            manifest.manifest_text(tree)

    def test_write_manifest_refuses_missing_files(self):
        with tempfile.TemporaryDirectory() as d:
            tree = sd.hps_manifest(manifest.write_tiny_vocab(d, [("a", "b")]), 16)
            with self.assertRaisesRegex(FileNotFoundError, "image_encoder.file"):
                manifest.write_manifest(d, tree)
            for name in ("image_encoder.pt", "text_encoder.pt"):
                open(os.path.join(d, name), "wb").close()
            path = manifest.write_manifest(d, tree)
            with open(path) as f:
                self.assertIn("embed_dim: 16", f.read())

    def test_copy_vocab_checks_the_format(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.txt")
            with open(bad, "w") as f:
                f.write("#version\nnot a merge line\n")
            os.makedirs(os.path.join(d, "out"))
            with self.assertRaisesRegex(ValueError, "does not look like a CLIP merges file"):
                manifest.copy_vocab(bad, os.path.join(d, "out"))


class FakeHfClip(nn.Module):
    """Answers like transformers' CLIPModel: get_image_features and
    get_text_features (the projected state at the end token)."""

    def __init__(self, hidden=8, proj=4):
        super().__init__()
        self.patch = nn.Conv2d(3, hidden, 14, stride=14)
        self.visual_projection = nn.Linear(hidden, proj, bias=False)
        self.text = FakeClipText(hidden, proj)

    def get_image_features(self, pixel_values):
        return self.visual_projection(self.patch(pixel_values).mean((2, 3)))

    def get_text_features(self, input_ids):
        return self.text(input_ids).text_embeds


class ScorerExportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        torch.manual_seed(0)

    def tearDown(self):
        self.dir.cleanup()

    def test_hf_clip_wrappers_trace_at_two_batch_sizes(self):
        model = FakeHfClip()
        px1, px3 = torch.randn(1, 3, 28, 28), torch.randn(3, 3, 28, 28)
        image = tracing.export_module(wrappers.HfClipImage(model), (px1,), os.path.join(self.dir.name, "i.pt"),
                                      [1, 4], other_inputs=(px3,), other_shapes=[3, 4])
        torch.testing.assert_close(image(px3), model.get_image_features(px3))
        text = tracing.export_module(wrappers.HfClipText(model), (wrappers.token_ids(1, "cpu"),),
                                     os.path.join(self.dir.name, "t.pt"), [1, 4],
                                     other_inputs=(wrappers.token_ids(4, "cpu"),), other_shapes=[4, 4])
        ids = wrappers.token_ids(2, "cpu")
        torch.testing.assert_close(text(ids), model.get_text_features(ids))

    def test_head_layers_reads_both_laion_heads(self):
        one = {"weight": torch.randn(1, 6), "bias": torch.randn(1)}
        layers = scorers.head_layers(one)
        self.assertEqual(len(layers), 1)
        # The improved predictor: Linear/Dropout pairs, ReLUs commented out.
        mlp = nn.Sequential(nn.Linear(6, 5), nn.Dropout(0.2), nn.Linear(5, 3), nn.Dropout(0.1), nn.Linear(3, 2),
                            nn.Linear(2, 1)).eval()
        state = {"layers." + k: v for k, v in mlp.state_dict().items()}
        head = scorers.LinearHead(scorers.head_layers({"state_dict": state}))
        x = torch.nn.functional.normalize(torch.randn(4, 6), dim=-1)
        with torch.no_grad():
            torch.testing.assert_close(head(x), mlp(x))

    def test_head_layers_refuses_what_is_not_an_affine_head(self):
        with self.assertRaisesRegex(ValueError, "unexpected key 'layers.1.running_mean'"):
            scorers.head_layers({"layers.0.weight": torch.randn(2, 4), "layers.0.bias": torch.randn(2),
                                 "layers.1.running_mean": torch.zeros(2)})
        with self.assertRaisesRegex(ValueError, "layer 1 takes 3 inputs but layer 0 gives 2"):
            scorers.head_layers({"layers.0.weight": torch.randn(2, 4), "layers.0.bias": torch.randn(2),
                                 "layers.2.weight": torch.randn(1, 3), "layers.2.bias": torch.randn(1)})
        with self.assertRaisesRegex(ValueError, "gives 2 outputs, not 1"):
            scorers.head_layers({"weight": torch.randn(2, 4), "bias": torch.randn(2)})
        with self.assertRaisesRegex(ValueError, "lacks its weight or bias"):
            scorers.head_layers({"layers.0.weight": torch.randn(1, 4)})

    def test_clip_processor_settings_accepts_only_what_the_runtime_reproduces(self):
        laion = {"crop_size": 224, "do_center_crop": True, "do_normalize": True, "do_resize": True,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
                 "resample": 3, "size": 224}
        self.assertEqual(scorers.clip_processor_settings(laion)[0], 224)
        newer = dict(laion, size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224})
        self.assertEqual(scorers.clip_processor_settings(newer), scorers.clip_processor_settings(laion))
        with self.assertRaisesRegex(ValueError, "resample is 2"):
            scorers.clip_processor_settings(dict(laion, resample=2))
        with self.assertRaisesRegex(ValueError, "crops S x S"):
            scorers.clip_processor_settings(dict(laion, crop_size=256))

    def test_scorer_manifests_have_their_required_keys(self):
        text = manifest.manifest_text(scorers.pickscore_manifest("merges.txt", 1024, 4.605170249938965))
        self.assertIn("family: \"pickscore\"", text)
        self.assertIn("logit_scale: 4.605170249938965", text)
        self.assertIn("  mean: 0.48145466 0.4578275 0.40821073", text)
        tree = scorers.pickscore_manifest("merges.txt", 1024, 4.6)
        del tree["logit_scale"]
        with self.assertRaisesRegex(ValueError, "lacks logit_scale"):
            manifest.manifest_text(tree)
        text = manifest.manifest_text(scorers.aesthetic_manifest(768))
        self.assertNotIn("tokenizer", text)
        self.assertIn("head:\n  file: \"head.pt\"\n  dtype: \"float32\"", text)


class RequirementsTest(unittest.TestCase):
    """A missing package ends an exporter with its name and pip package."""

    def test_met_requirements_are_silent(self):
        self.assertEqual(requirements.missing([[("os", "os")], [("no_such_mod_bigpe", "x"), ("json", "json")]]), [])
        requirements.require("export_x.py", [[("os", "os")]])  # returns

    def test_each_unmet_requirement_is_named_with_its_alternatives(self):
        unmet = requirements.missing([[("no_such_mod_bigpe", "no-such-pkg")], [("os", "os")],
                                      [("no_such_a", "pkg-a"), ("no_such_b", "pkg-b")]])
        self.assertEqual(unmet, ["'no_such_mod_bigpe' (pip install no-such-pkg)",
                                 "'no_such_a' (pip install pkg-a) or 'no_such_b' (pip install pkg-b)"])

    def test_require_exits_with_one_line_naming_script_package_and_python(self):
        with self.assertRaises(SystemExit) as e:
            requirements.require("export_x.py", [[("no_such_mod_bigpe", "no-such-pkg")]])
        text = str(e.exception.code)
        self.assertTrue(text.startswith("export_x.py: needs the Python package 'no_such_mod_bigpe' "
                                        "(pip install no-such-pkg), which " + sys.executable), text)
        self.assertIn("docs/models.md", text)
        self.assertNotIn("\n", text)


if __name__ == "__main__":
    unittest.main()
