{
  "targets": [
    {
      "target_name": "chainlm_kernels",
      "sources": [
        "native/addon.cc",
        "native/pool.cc",
        "native/gemm.cc",
        "native/kernel-avx512.cc",
        "native/kernel-avx2.cc",
        "native/kernel-portable.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fno-math-errno", "-Wno-maybe-uninitialized"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "OTHER_CPLUSPLUSFLAGS": ["-O3"] }
    }
  ]
}
