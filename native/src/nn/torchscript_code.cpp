#include "nn/torchscript_code.h"

#include <cctype>
#include <iomanip>
#include <limits>
#include <sstream>

namespace fdl {

std::string torchscript_literal(double value) {
  std::ostringstream out;
  out << std::setprecision(std::numeric_limits<double>::max_digits10) << std::showpoint << value;
  return out.str();
}

std::string torchscript_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string torchscript_child(const std::string& owner, const std::string& name) {
  bool identifier = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) && name != "self";
  for (char c : name) identifier = identifier && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  return identifier ? owner + "." + name : "getattr(" + owner + ", " + torchscript_quoted(name) + ")";
}

std::string torchscript_additive_mask(const std::string& attention_mask, const std::string& like) {
  return "    keep = " + attention_mask + ".to(" + like + ".dtype).unsqueeze(1).unsqueeze(2)\n"
         "    additive_mask = (1.0 - keep) * " + torchscript_literal(std::numeric_limits<float>::lowest()) + "\n";
}

}  // namespace fdl
