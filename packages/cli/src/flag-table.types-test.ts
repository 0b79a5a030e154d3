// Compile-time checks of the flag types derived from a table: the build fails if they regress.
import type { JobStatus } from '@weft/sdk/model';
import { type FlagsOf, flagTable } from './flag-table.js';
import type { JobFlags, OAuth2Flags, ServeFlags } from './flags.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <A, B>(_: Equals<A, B>) => {};

const table = flagTable([
  { flags: '--config-fields <json|@file>', description: 'a value' },
  { flags: '--follow', description: 'on or off' },
  { flags: '--no-browser', description: 'on unless given' },
  { flags: '--max-steps <n>', description: 'with a default', default: '100', positive: true },
  { flags: '--cassettes <dir>', description: 'repeatable', repeatable: true },
  { flags: '--status <status>', description: 'choices', choices: ['a', 'b'] },
]);
expectType<
  FlagsOf<typeof table>,
  {
    configFields?: string;
    follow?: boolean;
    browser: boolean;
    maxSteps: string;
    cassettes?: string[];
    status?: 'a' | 'b';
  }
>(true);

expectType<
  ServeFlags,
  { port: string; host: string; connectors?: string[]; database?: string; role?: string; builtins: boolean }
>(true);
expectType<OAuth2Flags['browser'], boolean>(true);
expectType<JobFlags['status'], JobStatus | undefined>(true);
