"""A tiny sentence-transformers model, made on the spot (no download).

A WordPiece tokenizer trained on the given texts and a one-layer BERT with
random (seeded) weights, saved as a sentence-transformers folder. It loads
through exactly the code path a real model takes (``builder.embeddings.load``
with a local path); its similarities mean nothing, but are deterministic.
"""

from __future__ import annotations

from pathlib import Path

HIDDEN = 32


def make_tiny_model(texts: list[str], dest: Path) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as st_models
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=400, special_tokens=special, show_progress=False))
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=128
    )

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(), hidden_size=HIDDEN, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64, max_position_embeddings=128
    )
    transformer_dir = dest / "transformer"
    BertModel(config).save_pretrained(transformer_dir)
    fast.save_pretrained(transformer_dir)

    model_dir = dest / "model"
    modules = [st_models.Transformer(str(transformer_dir), max_seq_length=128), st_models.Pooling(HIDDEN, pooling_mode="mean")]
    SentenceTransformer(modules=modules, device="cpu").save(str(model_dir))
    return model_dir
