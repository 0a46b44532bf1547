// Pieces of TorchScript source that modules' own forwards (torchscript_source.h) and the export
// (ecd/torchscript_export.cpp) both write: literals that read back exactly, and child access.
#pragma once

#include <string>

namespace fdl {

// A double as a TorchScript float literal that reads back to the same value.
std::string torchscript_literal(double value);
// A TorchScript string literal.
std::string torchscript_quoted(const std::string& text);
// "<owner>.<name>", or getattr for names that are not identifiers ("0", "self", "my feature").
std::string torchscript_child(const std::string& owner, const std::string& name);
// HF's extended attention mask from attention_mask ([B, T], 1 keep): (1 - mask) * finfo(float32).min
// shaped [B, 1, 1, T], assigned to additive_mask; float32 activations assumed (as the export saves).
std::string torchscript_additive_mask(const std::string& attention_mask, const std::string& like);

}  // namespace fdl
