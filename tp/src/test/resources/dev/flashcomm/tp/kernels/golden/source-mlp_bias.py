class FlashcommKernels(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def causal_attention(self: __torch__.FlashcommKernels, q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    return torch.scaled_dot_product_attention(q, k, v, None, 0., True, scale=None, enable_gqa=True)
  def rms_norm(self: __torch__.FlashcommKernels, x: Tensor, w: Tensor, eps: float) -> Tensor:
    wide = x.float()
    ms = torch.mean(torch.square(wide), [-1], True)
    return torch.mul(torch.div(wide, torch.sqrt(torch.add(ms, eps))).to(x.dtype), w)
  def residual(self: __torch__.FlashcommKernels, x: Tensor, y: Tensor, maxima: Tensor, slot: int) -> Tensor:
    h = torch.add(x, y)
    maxima[slot] = torch.max(torch.abs(h)).float()
    return h
  def residual_norm(self: __torch__.FlashcommKernels, x: Tensor, y: Tensor, w: Tensor, eps: float, maxima: Tensor, slot: int) -> Tuple[Tensor, Tensor]:
    h = self.residual(x, y, maxima, slot)
    return (h, self.rms_norm(h, w, eps))
  def rotate(self: __torch__.FlashcommKernels, x: Tensor, cos: Tensor, sin: Tensor, half: int) -> Tensor:
    x1 = x[:, :, :, 0:half]
    x2 = x[:, :, :, half:]
    return torch.add(torch.mul(x, cos), torch.mul(torch.cat([torch.neg(x2), x1], -1), sin))
  def attention_partial(self: __torch__.FlashcommKernels, xn: Tensor, w_qkv: Tensor, eps: float, cos: Tensor, sin: Tensor, heads: int, kv_heads: int, head_dim: int, wo: Tensor) -> Tensor:
    b = xn.size(0)
    n = xn.size(1)
    qkv = torch.matmul(xn, w_qkv)
    pass
    qw = heads * head_dim
    kw = kv_heads * head_dim
    q = torch.reshape(qkv[:, :, 0:qw], [b, n, heads, head_dim])
    k = torch.reshape(qkv[:, :, qw:qw + kw], [b, n, kv_heads, head_dim])
    v = torch.reshape(qkv[:, :, qw + kw:qw + 2 * kw], [b, n, kv_heads, head_dim])
    pass
    pass
    half = head_dim // 2
    q = self.rotate(torch.transpose(q, 1, 2), cos, sin, half)
    k = self.rotate(torch.transpose(k, 1, 2), cos, sin, half)
    v = torch.transpose(v, 1, 2)
    c = torch.scaled_dot_product_attention(q, k, v, None, 0., True, scale=None, enable_gqa=True)
    return torch.matmul(torch.reshape(torch.transpose(c, 1, 2), [b, n, qw]), wo)
  def masked_attention(self: __torch__.FlashcommKernels, q: Tensor, k: Tensor, v: Tensor, mask: Tensor) -> Tensor:
    return torch.scaled_dot_product_attention(q, k, v, mask, 0., False, scale=None, enable_gqa=True)
  def attention_cached(self: __torch__.FlashcommKernels, xn: Tensor, w_qkv: Tensor, eps: float, cos: Tensor, sin: Tensor, heads: int, kv_heads: int, head_dim: int, wo: Tensor, k_cache: Tensor, v_cache: Tensor, offset: int, mask: Tensor) -> Tensor:
    b = xn.size(0)
    n = xn.size(1)
    qkv = torch.matmul(xn, w_qkv)
    pass
    qw = heads * head_dim
    kw = kv_heads * head_dim
    q = torch.reshape(qkv[:, :, 0:qw], [b, n, heads, head_dim])
    k = torch.reshape(qkv[:, :, qw:qw + kw], [b, n, kv_heads, head_dim])
    v = torch.reshape(qkv[:, :, qw + kw:qw + 2 * kw], [b, n, kv_heads, head_dim])
    pass
    pass
    half = head_dim // 2
    q = self.rotate(torch.transpose(q, 1, 2), cos, sin, half)
    k_cache[:, :, offset:offset + n] = self.rotate(torch.transpose(k, 1, 2), cos, sin, half)
    v_cache[:, :, offset:offset + n] = torch.transpose(v, 1, 2)
    total = offset + n
    c = torch.scaled_dot_product_attention(q, k_cache[:, :, 0:total], v_cache[:, :, 0:total], mask, 0., False, scale=None, enable_gqa=True)
    return torch.matmul(torch.reshape(torch.transpose(c, 1, 2), [b, n, qw]), wo)
  def r16(self: __torch__.FlashcommKernels, x: Tensor) -> Tensor:
    return torch.clamp(x, -65504., 65504.).half().float()
  def rbf16(self: __torch__.FlashcommKernels, x: Tensor) -> Tensor:
    return torch.to(x, 15).float()
  def quantize_asym(self: __torch__.FlashcommKernels, x: Tensor, qmax: Tensor, qmax_f: float) -> Tuple[Tensor, Tensor, Tensor]:
    lo, hi = torch.aminmax(x, dim=1, keepdim=True)
    mn = self.r16(lo)
    s = self.r16(torch.div(torch.sub(hi, mn), qmax))
    s = torch.add(s, torch.eq(s, 0.).float())
    levels = torch.round(torch.clamp(torch.div(torch.sub(x, mn), s), 0., qmax_f))
    return (levels, s, mn)
  def qdq_asym(self: __torch__.FlashcommKernels, x: Tensor, qmax: Tensor, qmax_f: float) -> Tensor:
    levels, s, mn = self.quantize_asym(x, qmax, qmax_f)
    return torch.add(torch.mul(levels, s), torch.add(mn, 0.))
  def quantize_sym(self: __torch__.FlashcommKernels, x: Tensor, qmax: Tensor, qmax_f: float) -> Tuple[Tensor, Tensor]:
    a = self.r16(torch.div(torch.amax(torch.abs(x), [1], True), qmax))
    a = torch.add(a, torch.eq(a, 0.).float())
    levels = torch.add(torch.round(torch.clamp(torch.div(x, a), -qmax_f, qmax_f)), 0.)
    return (levels, a)
  def qdq_sym(self: __torch__.FlashcommKernels, x: Tensor, qmax: Tensor, qmax_f: float) -> Tensor:
    levels, a = self.quantize_sym(x, qmax, qmax_f)
    return torch.mul(levels, a)
  def qdq_any(self: __torch__.FlashcommKernels, x: Tensor, sym: bool, qmax: Tensor, qmax_f: float) -> Tensor:
    if sym:
      return self.qdq_sym(x, qmax, qmax_f)
    else:
      return self.qdq_asym(x, qmax, qmax_f)
  def flash_fake(self: __torch__.FlashcommKernels, parts: List[Tensor], length: int, rs_sym: bool, rs_qmax: Tensor, rs_qmax_f: float, ag_sym: bool, ag_qmax: Tensor, ag_qmax_f: float) -> Tensor:
    rows = parts[0].size(0)
    cols = parts[0].size(1)
    q = self.qdq_any(torch.reshape(torch.cat(parts, 0), [-1, length]), rs_sym, rs_qmax, rs_qmax_f)
    per = rows * cols // length
    s = q[0:per]
    for r in range(1, len(parts)):
      s = torch.add(s, q[r * per:(r + 1) * per])
    return torch.reshape(self.qdq_any(s, ag_sym, ag_qmax, ag_qmax_f), [rows, cols])
  def pack_bits(self: __torch__.FlashcommKernels, codes: Tensor, bits: int) -> Tensor:
    n = codes.size(0)
    length = codes.size(1)
    per = 8 // bits
    nbytes = (length * bits + 7) // 8
    c = codes.byte()
    pad = nbytes * per - length
    if pad > 0:
      c = torch.cat([c, c.new_zeros([n, pad])], 1)
    c = torch.reshape(c, [n, nbytes, per])
    out = c[:, :, 0]
    for i in range(1, per):
      out = torch.bitwise_or(out, torch.bitwise_left_shift(c[:, :, i], bits * i))
    return out.contiguous()
  def unpack_bits(self: __torch__.FlashcommKernels, packed: Tensor, bits: int, length: int) -> Tensor:
    n = packed.size(0)
    per = 8 // bits
    mask = (1 << bits) - 1
    parts: List[Tensor] = []
    for i in range(per):
      parts.append(torch.bitwise_and(torch.bitwise_right_shift(packed, bits * i), mask))
    codes = torch.reshape(torch.stack(parts, 2), [n, -1])
    return codes[:, 0:length].float()
  def pack_groups(self: __torch__.FlashcommKernels, x: Tensor, bits: int, sym: bool, qmax: Tensor, qmax_f: float) -> Tuple[Tensor, Tensor, Tensor]:
    if sym:
      levels, a = self.quantize_sym(x, qmax, qmax_f)
      none = a.new_zeros([0]).half()
      return (self.pack_bits(torch.add(levels, qmax), bits), a.half(), none)
    else:
      levels, s, mn = self.quantize_asym(x, qmax, qmax_f)
      return (self.pack_bits(levels, bits), s.half(), mn.half())
  def unpack_groups(self: __torch__.FlashcommKernels, codes: Tensor, scale: Tensor, mn: Tensor, bits: int, sym: bool, qmax: Tensor, length: int) -> Tensor:
    c = self.unpack_bits(codes, bits, length)
    if sym:
      return torch.mul(torch.sub(c, qmax), scale.float())
    else:
      return torch.add(torch.mul(c, scale.float()), mn.float())
  def flash_packed(self: __torch__.FlashcommKernels, parts: List[Tensor], length: int, rs_bits: int, rs_sym: bool, rs_qmax: Tensor, rs_qmax_f: float, ag_bits: int, ag_sym: bool, ag_qmax: Tensor, ag_qmax_f: float) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
    rows = parts[0].size(0)
    cols = parts[0].size(1)
    x = torch.reshape(torch.cat(parts, 0), [-1, length])
    c1, s1, m1 = self.pack_groups(x, rs_bits, rs_sym, rs_qmax, rs_qmax_f)
    d = self.unpack_groups(c1, s1, m1, rs_bits, rs_sym, rs_qmax, length)
    per = rows * cols // length
    s = d[0:per]
    for r in range(1, len(parts)):
      s = torch.add(s, d[r * per:(r + 1) * per])
    c2, s2, m2 = self.pack_groups(s, ag_bits, ag_sym, ag_qmax, ag_qmax_f)
    out = self.unpack_groups(c2, s2, m2, ag_bits, ag_sym, ag_qmax, length)
    return (torch.reshape(out, [rows, cols]), c1, s1, m1, c2, s2, m2)
  def moe_experts(self: __torch__.FlashcommKernels, x: Tensor, rows: Tensor, weights: Tensor, positions: Tensor, counts: List[int], w_gate_up: List[Tensor], w_down: List[Tensor], top_k: int) -> Tensor:
    xs = torch.index_select(x, 0, rows)
    y = torch.mul(self.expert_rows(xs, counts, w_gate_up, w_down), weights)
    return torch.sum(torch.reshape(torch.index_select(y, 0, positions), [x.size(0), top_k, x.size(1)]), [1])
  def expert_rows(self: __torch__.FlashcommKernels, xs: Tensor, counts: List[int], w_gate_up: List[Tensor], w_down: List[Tensor]) -> Tensor:
    outs: List[Tensor] = []
    start = 0
    for e in range(len(counts)):
      n = counts[e]
      if n > 0:
        c = w_down[e].size(0)
        gu = torch.matmul(xs[start:start + n], w_gate_up[e])
        gate = gu[..., 0:c]
        up = gu[..., c:]
        outs.append(torch.matmul(torch.mul(torch.mul(gate, torch.sigmoid(gate)), up), w_down[e]))
      start = start + n
    return torch.cat(outs, 0)
  def mlp_partial(self: __torch__.FlashcommKernels, xn: Tensor, w_gate_up: Tensor, b_gate_up: Tensor, columns: int, w_down: Tensor) -> Tensor:
    gu = torch.matmul(xn, w_gate_up)
    gu = torch.add(gu, b_gate_up)
    gate = gu[..., 0:columns]
    up = gu[..., columns:]
    return torch.matmul(torch.mul(torch.mul(gate, torch.sigmoid(gate)), up), w_down)
