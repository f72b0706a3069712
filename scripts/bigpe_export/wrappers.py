"""Thin nn.Module wrappers that give diffusers / transformers / open_clip
modules the plain tensor signatures the C++ runtime calls (docs/models.md):

  text encoder    ids [B,77] int64 -> hidden [B,77,H]
  text encoder 2  ids [B,77] int64 -> (hidden [B,77,H2], pooled [B,P])   (SDXL)
  UNet            (x [N,C,h,w], t [N] float32, ctx [N,77,D]) -> [N,C,h,w]
                  SDXL adds (text_embeds [N,P], time_ids [N,6])
  VAE decoder     z [B,C,h,w] (already divided by the latent scale) -> [B,3,8h,8w] in [-1,1]
  image tower     pixels [B,3,224,224] -> features [B,E] (not normalized)
  text tower      ids [B,77] int64 -> features [B,E] (not normalized)
  (the aesthetic head, normalized features [B,E] -> [B,1], is
  bigpe_export.scorers.LinearHead)

They only call attributes by name, so they are tested here with small
stand-ins; the exporters apply them to the real models.
"""
import torch
from torch import nn


class ClipHidden(nn.Module):
    """transformers CLIPTextModel: last_hidden_state (layer=None), or
    hidden_states[layer] (SDXL uses -2, the penultimate layer, without the
    final LayerNorm)."""

    def __init__(self, model, layer=None):
        super().__init__()
        self.model = model
        self.layer = layer

    def forward(self, ids):
        out = self.model(ids, output_hidden_states=self.layer is not None, return_dict=True)
        return out.last_hidden_state if self.layer is None else out.hidden_states[self.layer]


class ClipHiddenAndPooled(nn.Module):
    """transformers CLIPTextModelWithProjection (SDXL's second encoder):
    (hidden_states[layer], text_embeds)."""

    def __init__(self, model, layer=-2):
        super().__init__()
        self.model = model
        self.layer = layer

    def forward(self, ids):
        out = self.model(ids, output_hidden_states=True, return_dict=True)
        return out.hidden_states[self.layer], out.text_embeds


class UNet(nn.Module):
    """diffusers UNet2DConditionModel predicting epsilon or v."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t, ctx):
        return self.unet(x, t, encoder_hidden_states=ctx, return_dict=False)[0]


class UNetXL(nn.Module):
    """SDXL's UNet with the added conditioning (pooled text, time ids)."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t, ctx, text_embeds, time_ids):
        added = {"text_embeds": text_embeds, "time_ids": time_ids}
        return self.unet(x, t, encoder_hidden_states=ctx, added_cond_kwargs=added, return_dict=False)[0]


class VaeDecoder(nn.Module):
    """diffusers AutoencoderKL.decode (post_quant_conv + decoder)."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, z):
        return self.vae.decode(z, return_dict=False)[0]


class OpenClipImage(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixels):
        return self.model.encode_image(pixels)


class OpenClipText(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids):
        return self.model.encode_text(ids)


def token_ids(batch, device, start=49406, end=49407, pad=0, body=(320, 2368)):
    """[batch, 77] ids of a short prompt ("a cat" with the real vocabulary)."""
    ids = torch.full((batch, 77), pad, dtype=torch.int64, device=device)
    ids[:, 0] = start
    ids[:, 1:1 + len(body)] = torch.tensor(body, dtype=torch.int64, device=device)
    ids[:, 1 + len(body)] = end
    return ids


class HfClipImage(nn.Module):
    """transformers CLIPModel (or CLIPVisionModelWithProjection):
    get_image_features / image_embeds, the projected pooled CLS state."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixels):
        if hasattr(self.model, "get_image_features"):
            return self.model.get_image_features(pixel_values=pixels)
        return self.model(pixel_values=pixels, return_dict=True).image_embeds


class HfClipText(nn.Module):
    """transformers CLIPModel.get_text_features: the projected state at the
    end token. No attention mask: the causal mask already hides what
    follows the end token, so padding does not change the feature."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids):
        return self.model.get_text_features(input_ids=ids)
