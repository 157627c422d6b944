// One set of esbuild options for the jest transform and the build, so tests run the code as shipped.
module.exports = {
  loader: 'ts',
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  // The registry finds workers by class name: never rename classes.
  keepNames: true,
};
