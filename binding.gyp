{
  "targets": [
    {
      "target_name": "ohx_can",
      "sources": [
        "modules/can/core/ohx_bridge.c",
        "modules/can/core/ohx_selftest.c",
        "modules/can/core/ohx_capture.c",
        "modules/brake-mirror/core/ohx_mirror.c",
        "modules/can/bindings/node/ohx_node.c",
        "modules/brake-mirror/bindings/node/ohx_node_mirror.c"
      ],
      "include_dirs": [
        "modules/can/core",
        "modules/brake-mirror/core"
      ],
      "cflags_c": [
        "-std=c99",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-O2"
      ],
      "defines": [
        "NAPI_VERSION=8"
      ]
    }
  ]
}
