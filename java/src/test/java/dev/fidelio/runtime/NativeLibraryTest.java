package dev.fidelio.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fidelio.bindings.FidelioH;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeLibraryTest {
  @Test
  void libraryExportsEveryFunctionTheHeaderDeclares() {
    NativeLibrary.ensureLoaded();
    List<String> missing = FidelioH.FUNCTIONS.stream().filter(f -> SymbolLookup.loaderLookup().find(f).isEmpty()).toList();
    assertTrue(missing.isEmpty(), "declared in fidelio.h but not exported: " + missing);
    assertEquals(FidelioH.FDL_ABI_VERSION, FidelioH.fdl_abi_version());
  }

  @Test
  void runtimeInfoReportsVersionsThreadsAndBlas() {
    Map<String, String> info = NativeRuntime.info();
    assertTrue(info.get("torch_version").matches("\\d+\\.\\d+\\.\\d+"), info.toString());
    // LibTorch 2.x is the base, and the build says where it came from (cmake/FidelioLibTorch.cmake).
    assertTrue(Integer.parseInt(info.get("torch_version").split("\\.")[0]) >= 2, info.toString());
    assertTrue(info.get("libtorch_source").matches("(FIDELIO_LIBTORCH|Torch_DIR|Python torch of .+|wheel .+): .+"),
        info.toString());
    assertTrue(Integer.parseInt(info.get("intra_op_threads")) >= 1, info.toString());
    assertTrue(info.containsKey("blas_kernel") && info.containsKey("blas_library"), info.toString());
    assertEquals(1, NativeRuntime.deviceCount(Device.Type.CPU));
  }

  @Test
  void intraOpThreadsCanBeChanged() {
    int before = Integer.parseInt(NativeRuntime.info().get("intra_op_threads"));
    NativeRuntime.setNumThreads(1, 0);
    assertEquals("1", NativeRuntime.info().get("intra_op_threads"));
    NativeRuntime.setNumThreads(before, 0);
  }
}
