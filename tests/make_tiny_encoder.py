"""Make tests/data/tiny-encoder: a sentence encoder of a few hundred bytes laid out like a Hugging Face
snapshot of an ONNX export, so the tests load it through the code path users take, offline.

    python tests/make_tiny_encoder.py     # needs onnx and tokenizers; the files are committed

Words of a group (cat, feline, kitty...) get nearly the same vector; every other word is [UNK] (a zero
vector, which mean pooling ignores after normalisation). The graph is one Gather: ids to vectors.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

GROUPS = {
    "cat": "cat cats feline felines kitty kitten",
    "sleep": "sleep sleeps nap naps doze dozing snooze slumber",
    "dog": "dog dogs hound hounds puppy pup",
    "walk": "walk walks walking stroll strolls stroll",
    "time": "long hours often much",
    "weather": "weather rain sunny paris",
}
DIM = 16
FOLDER = Path(__file__).with_name("data") / "tiny-encoder"


def main(folder: Path = FOLDER) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    words = ["[PAD]", "[UNK]"] + list(dict.fromkeys(w for group in GROUPS.values() for w in group.split()))
    rng = np.random.default_rng(0)
    orthonormal = np.linalg.qr(rng.normal(size=(DIM, DIM)))[0]   # unrelated groups: unrelated vectors
    base = {name: orthonormal[i] for i, name in enumerate(GROUPS)}
    group_of = {w: name for name, group in GROUPS.items() for w in group.split()}
    vectors = np.stack([np.zeros(DIM), np.zeros(DIM)] +
                       [base[group_of[w]] + 0.02 * rng.normal(size=DIM) for w in words[2:]]).astype(np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "onnx").mkdir(exist_ok=True)
    (folder / "1_Pooling").mkdir(exist_ok=True)
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.enable_padding(length=32)   # as the shipped MiniLM tokenizer.json does: faqbot must undo it
    tokenizer.save(str(folder / "tokenizer.json"))
    graph = helper.make_graph(
        [helper.make_node("Gather", ["embeddings", "input_ids"], ["last_hidden_state"])], "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", DIM])],
        [numpy_helper.from_array(vectors, "embeddings")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="faqbot-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(folder / "onnx" / "model.onnx"))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": DIM, "pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}) + "\n")
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64}) + "\n")
    (folder / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]) + "\n")


if __name__ == "__main__":
    main()
