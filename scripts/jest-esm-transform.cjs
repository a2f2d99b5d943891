// Jest runs the tests as CommonJS, and a few packages ship ES modules only (otplib's
// base32 and hashes): this compiles such a file to CommonJS with TypeScript's own transpiler, nothing else.
const ts = require("typescript");

module.exports = {
  process(source, filename) {
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
      },
    });
    return { code: outputText };
  },
};
