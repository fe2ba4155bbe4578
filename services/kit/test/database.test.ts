import { describe, expect, it } from 'vitest';
import { splitStatements } from '../src/database.js';

describe('splitStatements', () => {
  it('splits at line-ending semicolons and drops comment lines', () => {
    const sql = `-- a comment; with a semicolon\nCREATE TABLE t (a INT);\nINSERT INTO t VALUES (1),\n  (2)\nON CONFLICT DO NOTHING;\n\n`;
    expect(splitStatements(sql)).toEqual(['CREATE TABLE t (a INT)', 'INSERT INTO t VALUES (1),\n  (2)\nON CONFLICT DO NOTHING']);
  });
});
