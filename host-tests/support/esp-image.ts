/* Test images in the real ESP image format: the builder lives with the flash adapters (the simulator uses it for its factory image). */
export * from "../../host/adapters/flash/esp-image";
