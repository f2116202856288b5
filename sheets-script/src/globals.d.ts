// structuredClone is not ECMAScript; core uses it and the bundle installs a polyfill (polyfills.ts).
declare function structuredClone<T>(value: T): T;
