package dev.fidelio.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BertConfigTest {
  private static BertConfig parse(String json) throws Exception {
    return BertConfig.parse(new ObjectMapper().readTree(json));
  }

  @Test
  void missingFieldsTakeHfDefaults() throws Exception {
    BertConfig c = parse("{\"model_type\": \"bert\"}");
    assertEquals(BertConfig.bertBase(), c);
    assertEquals(64, c.headDim());
  }

  @Test
  void miniLmConfigParses() throws Exception {
    BertConfig c = parse("""
            {"_name_or_path": "nreimers/MiniLM-L6-H384-uncased", "architectures": ["BertModel"],
             "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": false, "hidden_act": "gelu",
             "hidden_dropout_prob": 0.1, "hidden_size": 384, "initializer_range": 0.02, "intermediate_size": 1536,
             "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
             "num_hidden_layers": 6, "pad_token_id": 0, "position_embedding_type": "absolute",
             "transformers_version": "4.8.2", "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522}""");
    assertEquals(BertConfig.allMiniLmL6V2(), c);
  }

  @Test
  void validationMessagesNameTheField() {
    String heads = assertThrows(WeightsException.class,
            () -> parse("{\"model_type\": \"bert\", \"hidden_size\": 100, \"num_attention_heads\": 12}")).getMessage();
    assertTrue(heads.contains("hidden_size 100 is not divisible by num_attention_heads 12"), heads);
    String roberta = assertThrows(WeightsException.class, () -> parse("{\"model_type\": \"roberta\"}")).getMessage();
    assertTrue(roberta.contains("'roberta'") && roberta.contains("only model_type 'bert'"), roberta);
    String gpt = assertThrows(WeightsException.class, () -> parse("{\"model_type\": \"gpt2\"}")).getMessage();
    assertTrue(gpt.contains("not a BERT-family model"), gpt);
    String act = assertThrows(WeightsException.class, () -> parse("{\"model_type\": \"bert\", \"hidden_act\": \"mish\"}")).getMessage();
    assertTrue(act.contains("hidden_act 'mish'"), act);
    String none = assertThrows(WeightsException.class, () -> parse("{}")).getMessage();
    assertTrue(none.contains("no model_type"), none);
  }
}
