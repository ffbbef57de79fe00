#!/bin/bash
# Speed of mixture-of-experts prefill on a lent GPU, with transformers in the same call: run on the GPU machine from
# the repository root after ../shared/gpu/stage.sh staged .gpu/ here (see ../shared/gpu/README.md).
#   scripts/gpu-moe-bench.sh SHAPE LAYERS TOKENIZER   e.g. qwen3-30b-a3b 12 qwen3-tokenizer.json
# Writes logs to $OUT (or /tmp/moe-bench); prints a summary last. Random weights: speed and memory only.
set -uo pipefail
SHAPE=$1; LAYERS=$2; TOK=$3; WINDOWS=${WINDOWS:-16}; BATCH=${BATCH:-4}
LOG=${OUT:-/tmp/moe-bench}; mkdir -p "$LOG"
M=/tmp/model-$SHAPE; TEXT=.gpu/wiki.test.raw
timeout 120 bash .gpu/device-setup.sh > "$LOG/setup.log" 2>&1 || { cat "$LOG/setup.log"; exit 1; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$LOG/gpu.txt"
[ -d "$M" ] || timeout 240 python3 .gpu/synth_model.py "$M" "$SHAPE" ".gpu/$TOK" "$LAYERS" > "$LOG/synth.log" 2>&1 \
  || { tail -5 "$LOG/synth.log"; exit 1; }
timeout 200 python3 .gpu/hf_ppl.py "$M" "$TEXT" 2048 8 fp16 > "$LOG/hf.log" 2>&1
FC=".gpu/flashcomm-gpu"
COMMON=(--model "$M" --data "$TEXT" --device gpu --dtype fp16 --seq-len 2048 --batch "$BATCH" --limit "$WINDOWS")
timeout 240 $FC bench "${COMMON[@]}" --comm-tp 4 --sections ppl,tp > "$LOG/bench.log" 2>&1
timeout 150 $FC ppl "${COMMON[@]}" --tp 4 --moe-parallel ep --comm deepep-ll > "$LOG/ep.log" 2>&1
echo "== transformers"; grep -h "HF\|loaded" "$LOG/hf.log"
echo "== flashcomm bench (TP 1, TP 4)"; grep -v "^\s*$" "$LOG/bench.log" | tail -25
echo "== flashcomm EP 4 deepep-ll"; grep -h "perplexity\|traffic\|speed\|load " "$LOG/ep.log"; tail -3 "$LOG/ep.log"
