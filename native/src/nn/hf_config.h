// A Hugging Face config.json as the native modules read it: HF's field names, each family's own
// defaults where a field is absent (as HF's PretrainedConfig subclasses do), and an error naming
// the field and the expected form where a value does not fit. Java hands over every scalar field
// of the file (numbers, booleans, strings, lists of strings); the family module picks what it uses.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace fdl {

class HfConfig {
 public:
  using Value = std::variant<double, bool, std::string, std::vector<std::string>>;

  HfConfig() = default;
  explicit HfConfig(std::map<std::string, Value> fields) : fields_(std::move(fields)) {}

  HfConfig& set(const std::string& key, Value value);
  bool has(const std::string& key) const;

  // The field's value, or fallback when config.json lacks it (or holds null). Each throws
  // fdl::Failure(FDL_ERR_INVALID_ARGUMENT) naming the field when the value has another form.
  int64_t integer(const std::string& key, int64_t fallback) const;  // an integral number
  double number(const std::string& key, double fallback) const;
  bool flag(const std::string& key, bool fallback) const;
  std::string text(const std::string& key, const std::string& fallback) const;
  // A list of strings; a string "a|b" (DeBERTa's pos_att_type spelling) reads as {"a", "b"}.
  std::vector<std::string> texts(const std::string& key, const std::vector<std::string>& fallback) const;

  // model_type, required.
  std::string model_type() const;

 private:
  const Value* find(const std::string& key) const;
  std::map<std::string, Value> fields_;
};

}  // namespace fdl
