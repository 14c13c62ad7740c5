// fengari ships no type declarations; the scripting engine talks to it through `LuaApi` (lua-vm.ts).
declare module 'fengari' {
  const fengari: unknown;
  export default fengari;
}
