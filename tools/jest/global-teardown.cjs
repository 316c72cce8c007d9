// Stops only what global-setup.cjs started.
module.exports = async function globalTeardown() {
  const started = globalThis.__hooklineInfra || [];
  for (const resource of started.reverse()) await resource.stop();
};
