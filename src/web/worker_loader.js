// Starts the page's Web Worker: loads wasm-bindgen's no-modules glue (worker.js, which defines
// `wasm_bindgen`) and instantiates worker_bg.wasm, whose `main` installs the message handler.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
