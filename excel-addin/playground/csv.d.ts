// webpack hands .csv files over as their text (asset/source).
declare module "*.csv" {
  const text: string;
  export default text;
}
