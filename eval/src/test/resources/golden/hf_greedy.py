#!/usr/bin/env python3
"""Golden greedy continuations from Hugging Face transformers, fp32 on the CPU, with its KV cache:
hf_greedy.py OUT.json NEW_TOKENS MODEL_DIR... . Each prompt alone (no padding), and the same prompts as one
left-padded batch through model.generate (greedy, EOS never stops it), both recorded."""
import sys, json, torch, transformers
from transformers import AutoModelForCausalLM
from tokenizers import Tokenizer
out, n, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
PROMPTS = [
    "Once upon a time, there was a little girl named Lily.",
    "The cat sat",
    "Question: Tom has 3 apples and buys 5 more. How many apples does he have?\nAnswer:",
    "One day, Ben went to the park with his mom. He saw a big dog and",
    "\u201cWhere are you going?\u201d asked the bird.",
    "A",
    "Sue liked to draw.\nShe drew a sun, a tree and",
]
torch.manual_seed(0)
result = {"transformers": transformers.__version__, "torch": torch.__version__, "new_tokens": n,
          "prompts": PROMPTS, "models": {}}
for d in dirs:
    name = d.rstrip("/").split("/")[-1]
    tok = Tokenizer.from_file(d + "/tokenizer.json")
    model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
    alone, lps = [], []
    ids_all = [tok.encode(p).ids for p in PROMPTS]
    with torch.no_grad():
        for ids in ids_all:
            x = torch.tensor([ids])
            o = model(x, use_cache=True)
            past, new, lp = o.past_key_values, [], []
            logits = o.logits[0, -1]
            for t in range(n):
                l = torch.log_softmax(logits.float(), -1)
                nxt = int(torch.argmax(l))
                new.append(nxt); lp.append(float(l[nxt]))
                if t == n - 1:
                    break
                o = model(torch.tensor([[nxt]]), past_key_values=past, use_cache=True)
                past, logits = o.past_key_values, o.logits[0, -1]
            alone.append(new); lps.append(lp)
        # a left-padded batch through generate(): greedy, no EOS stop
        longest = max(len(i) for i in ids_all)
        pad = 0
        x = torch.tensor([[pad] * (longest - len(i)) + i for i in ids_all])
        att = torch.tensor([[0] * (longest - len(i)) + [1] * len(i) for i in ids_all])
        g = model.generate(input_ids=x, attention_mask=att, max_new_tokens=n, min_new_tokens=0, do_sample=False,
                           eos_token_id=None, pad_token_id=pad, use_cache=True)
        batched = [row[longest:].tolist() for row in g]
    result["models"][name] = {"prompt_ids": ids_all, "new_ids": alone, "log_probs": lps, "batched_new_ids": batched,
                              "batched_equal_alone": batched == alone}
    print(name, "batched == alone:", batched == alone, flush=True)
json.dump(result, open(out, "w"), indent=1)
