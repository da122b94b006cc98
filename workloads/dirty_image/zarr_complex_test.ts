import { assertEquals } from "../../core/_assert.ts";
import { viewV2, viewV3 } from "./zarr_complex.ts";

Deno.test("viewV2() presents complex as interleaved floats and bool as uint8", () => {
  const meta = {
    dtype: "<c8",
    shape: [3, 4, 5, 2],
    chunks: [3, 4, 2, 1],
    fill_value: null,
    order: "C",
  };
  assertEquals(viewV2(meta), {
    dtype: "<f4",
    shape: [3, 4, 5, 4],
    chunks: [3, 4, 2, 2],
    fill_value: null,
    order: "C",
  });
  assertEquals(viewV2({ dtype: ">c16", shape: [7], chunks: [7], fill_value: [1, 2] }).dtype, ">f8");
  assertEquals(
    viewV2({ dtype: ">c16", shape: [7], chunks: [7], fill_value: [1, 2] }).fill_value,
    1,
  );
  assertEquals(viewV2({ dtype: "|b1", fill_value: false }), { dtype: "|u1", fill_value: 0 });
  const plain = { dtype: "<f8", shape: [2] };
  assertEquals(viewV2(plain) === plain, true);
});

Deno.test("viewV3() rewrites data type, shape, chunk grid, sharding and fill value", () => {
  const meta = {
    node_type: "array",
    data_type: "complex128",
    shape: [2, 3],
    chunk_grid: { name: "regular", configuration: { chunk_shape: [2, 3] } },
    codecs: [{
      name: "sharding_indexed",
      configuration: { chunk_shape: [1, 3], codecs: [{ name: "bytes" }] },
    }],
    fill_value: [0, 0],
  };
  assertEquals(viewV3(meta), {
    node_type: "array",
    data_type: "float64",
    shape: [2, 6],
    chunk_grid: { name: "regular", configuration: { chunk_shape: [2, 6] } },
    codecs: [{
      name: "sharding_indexed",
      configuration: { chunk_shape: [1, 6], codecs: [{ name: "bytes" }] },
    }],
    fill_value: 0,
  });
  assertEquals(
    viewV3({ node_type: "array", data_type: "bool", fill_value: true }).data_type,
    "uint8",
  );
});
