// `kci event …`: subscriptions, publishing, unicast queues and the live event stream.
import type { Command } from 'commander';
import type { PublishRequest } from '../../client/types';
import { attributesToFilters } from '../attributes';
import { authedClientFor, clientFor, examples, intOption, readJsonInput } from '../context';
import { CliError, EXIT } from '../errors';
import { printJson, printJsonLine, printLine } from '../output';

const ENVELOPE_KEYS = new Set(['data', 'type', 'source', 'attributes', 'specversion', 'id', 'time']);

export function registerEvent(program: Command): void {
  const event = program.command('event').description('events: subscribe, receive, send, queues, follow');
  examples(event, [
    'SUB=$(kci event subscribe node)',
    'kci event receive $SUB',
    'kci event follow node --from 1200',
  ]);

  examples(
    event
      .command('subscribe <channel>')
      .description('subscribe to a channel; prints the subscription id')
      .option('--promisc', "receive every user's events, not only your own")
      .option('--durable <subscriber-id>', 'durable subscription: resumes where it left off after a disconnect')
      .option('--json', 'print JSON')
      .action(async (channel: string, opts: { promisc?: boolean; durable?: string; json?: boolean }, cmd: Command) => {
        const sub = await authedClientFor(cmd).subscribe(channel, { promisc: opts.promisc, subscriberId: opts.durable });
        if (opts.json) return printJson(sub);
        printLine(String(sub.id));
      }),
    ['kci event subscribe node --promisc', 'kci event subscribe node --durable my-lab-listener'],
  );

  examples(
    event
      .command('unsubscribe <sub-id>')
      .description('end a subscription')
      .action(async (subId: string, _opts: unknown, cmd: Command) => {
        await authedClientFor(cmd).unsubscribe(subId);
        printLine(`unsubscribed ${subId}`);
      }),
    ['kci event unsubscribe 42'],
  );

  examples(
    event
      .command('receive <sub-id>')
      .description('wait for the next event of a subscription and print it as JSON')
      .option('--raw', 'print the message as the API sends it (CloudEvent as a JSON string in "data")')
      .action(async (subId: string, opts: { raw?: boolean }, cmd: Command) => {
        const client = authedClientFor(cmd);
        printJsonLine(opts.raw ? await client.listen(subId) : await client.receive(subId));
      }),
    ['kci event receive 42', 'kci event receive 42 | jq .data.state'],
  );

  examples(
    event
      .command('send <file> <channel>')
      .description('publish an event read from a JSON file (- for stdin) on a channel')
      .option('--type <type>', 'CloudEvent type')
      .option('--source <source>', 'CloudEvent source')
      .action(async (file: string, channel: string, opts: EnvelopeOptions, cmd: Command) => {
        const res = await authedClientFor(cmd).publish(channel, envelope(readJsonInput(file), opts));
        printLine(describeSent(res, `sent to ${channel}`));
      }),
    ['kci event send event.json my-channel', 'echo \'{"msg":"hello"}\' | kci event send - my-channel --type greeting'],
  );

  examples(
    event
      .command('push <file> <queue>')
      .description('push an item read from a JSON file (- for stdin) on a queue: exactly one popper gets it')
      .option('--type <type>', 'CloudEvent type')
      .option('--source <source>', 'CloudEvent source')
      .action(async (file: string, queue: string, opts: EnvelopeOptions, cmd: Command) => {
        const res = await authedClientFor(cmd).push(queue, envelope(readJsonInput(file), opts));
        printLine(describeSent(res, `pushed to ${queue}`));
      }),
    ['kci event push job.json lab-a-jobs'],
  );

  examples(
    event
      .command('pop <queue>')
      .description('take the next item of a queue and print it as JSON (exit code 3 when the queue is empty)')
      .option('-w, --wait <seconds>', 'wait up to this long for an item', intOption('wait', 0))
      .action(async (queue: string, opts: { wait?: number }, cmd: Command) => {
        const item = await authedClientFor(cmd).pop(queue, { wait: opts.wait });
        if (item == null) throw new CliError(`queue ${queue} is empty`, EXIT.empty);
        printJsonLine(item);
      }),
    ['kci event pop lab-a-jobs', 'kci event pop lab-a-jobs --wait 30 | jq .data'],
  );

  examples(
    event
      .command('follow <channel>')
      .description('stream events of a channel as they happen, one JSON line each (Ctrl-C stops)')
      .option('--from <seq>', 'start after this sequence id (replays history first)', intOption('from', 0))
      .option('-c, --count <n>', 'stop after this many events', intOption('count', 1))
      .action(async (channel: string, opts: { from?: number; count?: number }, cmd: Command) => {
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        let seen = 0;
        try {
          for await (const ev of clientFor(cmd).streamEvents(channel, { from: opts.from, signal: abort.signal })) {
            printJsonLine(ev);
            if (opts.count && ++seen >= opts.count) break;
          }
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      }),
    ['kci event follow node', 'kci event follow node --from 1200 | jq -c \'.data | {id, state, result}\''],
  );

  examples(
    event
      .command('history [attributes...]')
      .description('past events (GET /events) filtered by attributes, e.g. kind=checkout state=done')
      .option('-l, --limit <n>', 'how many', intOption('limit', 1), 50)
      .option('-n, --offset <n>', 'skip this many', intOption('offset', 0), 0)
      .option('--json', 'print one JSON document')
      .action(async (attributes: string[], opts: { limit: number; offset: number; json?: boolean }, cmd: Command) => {
        const events = await clientFor(cmd).events(attributesToFilters(attributes), { limit: opts.limit, offset: opts.offset });
        if (opts.json) return printJson(events);
        for (const ev of events) printJsonLine(ev);
      }),
    ['kci event history kind=checkout state=done -l 10'],
  );
}

interface EnvelopeOptions {
  type?: string;
  source?: string;
}

/** A file holding `{data, type?, source?, attributes?}` is sent as is; any other JSON becomes `data`. */
function envelope(content: unknown, opts: EnvelopeOptions): PublishRequest {
  const isEnvelope =
    typeof content === 'object' &&
    content !== null &&
    !Array.isArray(content) &&
    'data' in content &&
    Object.keys(content).every((k) => ENVELOPE_KEYS.has(k));
  const req: PublishRequest = isEnvelope ? { ...(content as PublishRequest) } : { data: content };
  if (opts.type) req.type = opts.type;
  if (opts.source) req.source = opts.source;
  return req;
}

function describeSent(res: unknown, what: string): string {
  const r = (res ?? {}) as { id?: unknown; sequence_id?: unknown };
  const id = r.sequence_id ?? r.id;
  return id !== undefined ? `${what} (${String(id)})` : what;
}
