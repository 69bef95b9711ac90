// Stand-in for the optional react-devtools-core import inside Ink (never used by eksdoctor).
export default { connectToDevTools() {}, initialize() {} };
