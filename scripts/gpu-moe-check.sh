#!/bin/bash
# A shorter MoE speed check than gpu-moe-bench.sh, for a tight device budget: per shape, transformers (the peer) and
# flashcomm's TP 1 exact prefill in the same call, and for Mixtral also EP 4 with deepep-ll. Logs to $OUT.
set -uo pipefail
L=${OUT:-/tmp/moe-check}; mkdir -p "$L"
timeout 100 bash .gpu/device-setup.sh > "$L/setup.log" 2>&1 || { tail -3 "$L/setup.log"; exit 1; }
nvidia-smi --query-gpu=name --format=csv,noheader
run() { # SHAPE LAYERS TOKENIZER EP
  M=/tmp/m-$1
  timeout 200 python3 .gpu/synth_model.py "$M" "$1" ".gpu/$3" "$2" > /dev/null 2>&1 || { echo "synth $1 failed"; return; }
  echo "== $1 ($2 layers)"
  timeout 90 python3 .gpu/hf_ppl.py "$M" .gpu/wiki.test.raw 2048 8 fp16 2>&1 | grep HF | tee -a "$L/$1.txt"
  C=(--model "$M" --data .gpu/wiki.test.raw --device gpu --dtype fp16 --seq-len 2048 --batch 4 --limit 16)
  timeout 90 .gpu/flashcomm-gpu ppl "${C[@]}" --tp 1 --comm exact 2>&1 | grep -E "speed|memory|out of" | sed 's/^/TP 1 exact: /' | tee -a "$L/$1.txt"
  [ "$4" = ep ] && timeout 100 .gpu/flashcomm-gpu ppl "${C[@]}" --tp 4 --moe-parallel ep --comm deepep-ll 2>&1 \
    | grep -E "speed|traffic|out of" | sed 's/^/EP 4 deepep-ll: /' | tee -a "$L/$1.txt"
  rm -rf "$M"
}
run qwen3-30b-a3b 12 qwen3-tokenizer.json tp
run mixtral-8x7b 8 llama2-tokenizer.json ep
