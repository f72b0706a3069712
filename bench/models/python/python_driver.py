"""The baseline of `bigpe bench models`: the same TorchScript modules driven
from Python (python3-torch), with the batch, steps, sampler, guidance and
dtype the C++ bench used, as the plan file it writes says (token ids and the
sampler's coefficients are computed once in C++ so both sides run the same
numbers). Renders and scores the batch for --seconds after one warm-up and
prints "python: <images per second> images/s (<rounds> rounds)".

Usage: python3 python_driver.py PLAN.json
"""
import json
import sys
import time

try:
    import torch
except ImportError as e:
    sys.exit("python_driver: needs torch (apt-get install python3-torch): %s" % e)


def main():
    with open(sys.argv[1]) as f:
        plan = json.load(f)
    torch.set_num_threads(plan["threads"]) if plan.get("threads") else None
    device = torch.device(plan["device"])
    # Each module in the dtype the C++ backend runs it in (its identity).
    dtype = lambda name: getattr(torch, plan.get("dtype_" + name, "float32"))
    load = lambda path, name: torch.jit.load(path, map_location=device).eval().to(dtype(name))
    te = load(plan["text_encoder"], "te")
    te2 = load(plan["text_encoder_2"], "te2") if plan.get("text_encoder_2") else None
    unet, vae = load(plan["unet"], "unet"), load(plan["vae_decoder"], "vae")
    image_tower = load(plan["image_tower"], "image") if plan.get("image_tower") else None
    text_tower = load(plan["text_tower"], "text") if plan.get("text_tower") else None
    unet_dtype = dtype("unet")
    ids = lambda rows: torch.tensor(rows, dtype=torch.int64, device=device)

    B, C, h, w = plan["batch"], plan["latent_channels"], plan["latent_h"], plan["latent_w"]
    guided = plan["guidance"] > 1.0
    steps = plan["steps"]

    def encode(rows1, rows2):
        ctx = te(ids(rows1)).to(unet_dtype)
        pooled = None
        if te2 is not None:
            h2, pooled = te2(ids(rows2))
            ctx = torch.cat([ctx, h2.to(unet_dtype)], -1)
            pooled = pooled.to(unet_dtype)
        return ctx, pooled

    def render():
        ctx, pooled = encode(plan["ids"], plan.get("ids_2"))
        if guided:
            if plan["zero_uncond"]:
                u_ctx = torch.zeros_like(ctx)
                u_pooled = torch.zeros_like(pooled) if pooled is not None else None
            else:
                u_ctx, u_pooled = encode([plan["negative_ids"]], [plan.get("negative_ids_2")] if te2 else None)
                u_ctx = u_ctx.expand_as(ctx)
                u_pooled = u_pooled.expand_as(pooled) if pooled is not None else None
            ctx = torch.cat([u_ctx, ctx])
            pooled = torch.cat([u_pooled, pooled]) if pooled is not None else None
        gens = [torch.Generator().manual_seed(s) for s in plan["seeds"]]
        draw = lambda: torch.cat([torch.randn((1, C, h, w), generator=g) for g in gens]).to(device)
        x = draw() * plan["init_noise_sigma"]
        n = 2 * B if guided else B
        time_ids = None
        if te2 is not None:
            H, W = plan["height"], plan["width"]
            time_ids = torch.tensor([[H, W, 0, 0, H, W]], dtype=unet_dtype, device=device).expand(n, 6).contiguous()
        for s in steps:
            xin = x * s["input_scale"]
            xin = torch.cat([xin, xin]) if guided else xin
            t = torch.full((n,), s["timestep"], dtype=torch.float32, device=device)
            xin = xin.to(unet_dtype)
            out = unet(xin, t, ctx, pooled, time_ids) if te2 is not None else unet(xin, t, ctx)
            out = out.float()
            if guided:
                u, c = out[:B], out[B:]
                out = u + (c - u) * plan["guidance"]
            x = x * s["x_coef"] + out * s["out_coef"]
            if s["noise_coef"] != 0:
                x = x + draw() * s["noise_coef"]
        img = vae((x / plan["latent_scale"]).to(dtype("vae"))).float()
        return (img / 2 + 0.5).clamp(0, 1).mul(255).round().to(torch.uint8)

    def score(images):
        S = plan["hps_size"]
        x = images.to(torch.float32) / 255.0
        H, W = x.shape[2], x.shape[3]
        scale = S / max(H, W)
        if H != S or W != S:
            nh, nw = round(H * scale), round(W * scale)
            x = torch.nn.functional.interpolate(x, size=(nh, nw), mode="bicubic", align_corners=False)
            ph, pw = S - nh, S - nw
            x = torch.nn.functional.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))
        mean = torch.tensor(plan["hps_mean"], device=device).view(1, 3, 1, 1)
        std = torch.tensor(plan["hps_std"], device=device).view(1, 3, 1, 1)
        f_img = image_tower(((x - mean) / std).to(dtype("image"))).float()
        f_img = f_img / f_img.norm(dim=-1, keepdim=True)
        f_txt = text_tower(ids(plan["hps_ids"])).float()
        f_txt = f_txt / f_txt.norm(dim=-1, keepdim=True)
        return (f_img * f_txt).sum(-1).mul(100).cpu()

    with torch.inference_mode():
        def once():
            images = render()
            if image_tower is not None:
                score(images)
        once()  # warm-up
        rounds, start = 0, time.perf_counter()
        while rounds == 0 or time.perf_counter() - start < plan["seconds"]:
            once()
            rounds += 1
        if device.type == "cuda":
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
    print("python: %.3f images/s (%d rounds)" % (rounds * B / elapsed, rounds))


if __name__ == "__main__":
    main()
