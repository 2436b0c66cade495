import { defineCommand } from '../spec.js';
import create from './create.js';
import list from './list.js';
import show from './show.js';
import test from './test.js';
import rename from './rename.js';
import del from './delete.js';
import exportConnection from './export.js';
import login from './login.js';
import logout from './logout.js';
import token from './token.js';
import makeDefault from './default.js';

export default defineCommand({
  name: 'connection',
  aliases: ['conn'],
  description: 'create and manage connections (credentials live in the OS keychain)',
  subcommands: [create, list, show, test, rename, del, exportConnection, login, logout, token, makeDefault],
  notes: 'A connection is <connector>/<name>; show, test, export, login, logout and token also take <connector> alone (its default connection).',
  examples: [
    'connector connection create petstore                 # prompts for each parameter',
    'connector connection list',
    "connector connection show petstore                   # petstore's default connection",
    'connector connection test petstore/default',
    "connector help connection create                     # one command's options",
  ],
});
