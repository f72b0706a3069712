"""The manifest of a Stable Diffusion model folder from the settings of a
diffusers pipeline (plain dicts and numbers, so it is tested without
diffusers)."""

SD_FAMILIES = ("sd1", "sd2", "sd2-v", "sdxl", "sdxl-turbo")
DEFAULT_SIZE = {"sd1": 512, "sd2": 512, "sd2-v": 768, "sdxl": 1024, "sdxl-turbo": 512}


def scheduler_settings(config, family):
    """Maps a diffusers scheduler config (scheduler_config.json) to the
    manifest's scheduler map, checking what the runtime supports."""
    prediction = config.get("prediction_type", "epsilon")
    if prediction not in ("epsilon", "v_prediction"):
        raise ValueError("prediction_type %r is not supported (epsilon or v_prediction)" % prediction)
    if family == "sd2-v" and prediction != "v_prediction":
        raise ValueError("family sd2-v needs a v_prediction scheduler, the model's is %r" % prediction)
    schedule = config.get("beta_schedule", "scaled_linear")
    if schedule not in ("scaled_linear", "linear"):
        raise ValueError("beta_schedule %r is not supported (scaled_linear or linear)" % schedule)
    if config.get("rescale_betas_zero_snr"):
        raise ValueError("rescale_betas_zero_snr schedules are not supported")
    out = {
        "prediction": prediction,
        "beta_schedule": schedule,
        "beta_start": float(config.get("beta_start", 0.00085)),
        "beta_end": float(config.get("beta_end", 0.012)),
        "train_timesteps": int(config.get("num_train_timesteps", 1000)),
        "steps_offset": int(config.get("steps_offset", 1)),
        "set_alpha_to_one": bool(config.get("set_alpha_to_one", False)),
    }
    spacing = "trailing" if family == "sdxl-turbo" else config.get("timestep_spacing")
    if spacing:
        if spacing not in ("leading", "linspace", "trailing"):
            raise ValueError("timestep_spacing %r is not supported" % spacing)
        out["timestep_spacing"] = spacing
    return out


def sd_manifest(family, scheduler_config, latent_scale, hidden_size, pad_id, vocab, dtype="float16",
                hidden_size_2=None, pooled_size=None, pad_id_2=0, vae_dtype=None, size=None,
                latent_channels=4):
    if family not in SD_FAMILIES:
        raise ValueError("unknown family %r (expected one of %s)" % (family, ", ".join(SD_FAMILIES)))
    tree = {
        "format": 1,
        "family": family,
        "dtype": dtype,
        "tokenizer": {"vocab": vocab, "pad_id": int(pad_id)},
        "text_encoder": {"file": "text_encoder.pt", "hidden_size": int(hidden_size)},
        "unet": {"file": "unet.pt", "latent_channels": int(latent_channels)},
        "vae_decoder": {"file": "vae_decoder.pt", "latent_scale": float(latent_scale)},
        "scheduler": scheduler_settings(scheduler_config, family),
        "defaults": {"size": int(size or DEFAULT_SIZE[family])},
    }
    if vae_dtype:
        tree["vae_decoder"]["dtype"] = vae_dtype
    if family.startswith("sdxl"):
        if not hidden_size_2 or not pooled_size:
            raise ValueError("sdxl families need hidden_size_2 and pooled_size")
        tree["text_encoder_2"] = {"file": "text_encoder_2.pt", "hidden_size": int(hidden_size_2),
                                  "pooled_size": int(pooled_size), "pad_id": int(pad_id_2)}
    return tree


def hps_manifest(vocab, embed_dim, dtype="float16", image_size=224):
    return {
        "format": 1,
        "family": "hpsv2",
        "dtype": dtype,
        "tokenizer": {"vocab": vocab, "pad_id": 0},
        "image_encoder": {"file": "image_encoder.pt", "image_size": int(image_size)},
        "text_encoder": {"file": "text_encoder.pt"},
        "embed_dim": int(embed_dim),
    }
