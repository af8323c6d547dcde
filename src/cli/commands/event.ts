// `kci event …`: subscriptions, publishing, unicast queues and the live event stream.
import type { Command } from 'commander';
import type { PublishRequest } from '../../client/types';
import { attributesToFilters } from '../attributes';
import { authedClientFor, clientFor, examples, intOption, readJsonInput } from '../context';
import { CliError, EXIT } from '../errors';
import { printJson, printJsonLine, printLine, printTable } from '../output';

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
      .option(
        '--durable <subscriber-id>',
        'durable subscription: resumes where it left off after a disconnect',
      )
      .option('--json', 'print JSON')
      .action(
        async (
          channel: string,
          opts: { promisc?: boolean; durable?: string; json?: boolean },
          cmd: Command,
        ) => {
          const sub = await authedClientFor(cmd).subscribe(channel, {
            promisc: opts.promisc,
            subscriberId: opts.durable,
          });
          if (opts.json) return printJson(sub);
          printLine(String(sub.id));
        },
      ),
    ['kci event subscribe node --promisc', 'kci event subscribe node --durable my-lab-listener'],
  );

  examples(
    event
      .command('stats')
      .description('active subscriptions with their last poll (admin; GET /stats/subscriptions)')
      .action(async (_opts: unknown, cmd: Command) => {
        printJson(await authedClientFor(cmd).subscriptionStats());
      }),
    ['kci event stats | jq ".[] | select(.channel == \\"node\\")"'],
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
      .description(
        'wait for the next event of a subscription and print it as JSON (exit code 3 if none came within --wait)',
      )
      .option(
        '-w, --wait <seconds>',
        'give up after this long (default: wait until an event comes)',
        intOption('wait', 0),
      )
      .action(async (subId: string, opts: { wait?: number }, cmd: Command) => {
        const client = authedClientFor(cmd);
        const deadline = opts.wait === undefined ? Infinity : Date.now() + opts.wait * 1000;
        for (;;) {
          // Long-polls of at most a minute; the server answers keep-alive when one ends empty.
          const wait = Math.max(0, Math.min(60, (deadline - Date.now()) / 1000));
          const event = await client.receive(subId, { wait: Number.isFinite(wait) ? Math.ceil(wait) : 60 });
          if (event) return printJsonLine(event);
          if (Date.now() >= deadline)
            throw new CliError(`no event on subscription ${subId} within ${opts.wait}s`, EXIT.empty);
        }
      }),
    ['kci event receive 42', 'kci event receive 42 --wait 30 | jq .data.state'],
  );

  examples(
    event
      .command('send <file> <channel>')
      .description('publish an event read from a JSON file (- for stdin) on a channel')
      .option('--type <type>', 'CloudEvent type')
      .option('--source <source>', 'CloudEvent source')
      .action(async (file: string, channel: string, opts: EnvelopeOptions, cmd: Command) => {
        const res = await authedClientFor(cmd).publish(channel, envelope(readJsonInput(file), opts));
        printLine(`sent to ${channel} (sequence id ${res.sequence_id})`);
      }),
    [
      'kci event send event.json my-channel',
      'echo \'{"msg":"hello"}\' | kci event send - my-channel --type greeting',
    ],
  );

  registerQueues(event);

  examples(
    event
      .command('follow <channel>')
      .description('stream events of a channel as they happen, one JSON line each (Ctrl-C stops)')
      .option(
        '--from <seq>',
        'first sequence id to send (replays history from there; default: only new events)',
        intOption('from', 0),
      )
      .option('-c, --count <n>', 'stop after this many events', intOption('count', 1))
      .action(async (channel: string, opts: { from?: number; count?: number }, cmd: Command) => {
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        let seen = 0;
        try {
          for await (const ev of clientFor(cmd).streamEvents(channel, {
            from: opts.from,
            signal: abort.signal,
          })) {
            printJsonLine(ev);
            if (opts.count && ++seen >= opts.count) break;
          }
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      }),
    ['kci event follow node', "kci event follow node --from 1200 | jq -c '.data | {id, state, result}'"],
  );

  examples(
    event
      .command('history [attributes...]')
      .description('past events (GET /events) filtered by attributes, e.g. kind=checkout state=done')
      .option('-l, --limit <n>', 'how many', intOption('limit', 1), 50)
      .option('-n, --offset <n>', 'skip this many', intOption('offset', 0), 0)
      .option('--json', 'print one JSON document')
      .action(
        async (
          attributes: string[],
          opts: { limit: number; offset: number; json?: boolean },
          cmd: Command,
        ) => {
          const events = await clientFor(cmd).events(attributesToFilters(attributes), {
            limit: opts.limit,
            offset: opts.offset,
          });
          if (opts.json) return printJson(events);
          for (const ev of events) printJsonLine(ev);
        },
      ),
    ['kci event history kind=checkout state=done -l 10'],
  );
}

interface QueueOptions {
  private?: boolean;
  owner?: string;
}

function queueAddress(opts: QueueOptions): QueueOptions {
  return { private: opts.private, owner: opts.owner };
}

function registerQueues(event: Command): void {
  // Queue names are shared by every user, as upstream's lists are; `--private` is the opt-in.
  const privateOption = [
    '--private',
    'your own private queue of this name instead of the shared one',
  ] as const;
  const ownerOption = ['--owner <username>', "another user's queue (admins)"] as const;

  examples(
    event
      .command('open-queue <queue>')
      .description('open a queue (shared by every user; --private: your own); pushing also opens it')
      .option(...privateOption)
      .option('--json', 'print JSON')
      .action(async (queue: string, opts: QueueOptions & { json?: boolean }, cmd: Command) => {
        const info = await authedClientFor(cmd).openQueue(queue, queueAddress(opts));
        if (opts.json) return printJson(info);
        printLine(
          `queue ${info.name} open (${info.shared ? 'shared' : `owner ${info.owner}`}, ${info.size ?? 0} items)`,
        );
      }),
    ['kci event open-queue lab-a-jobs', 'kci event open-queue scratch --private'],
  );

  examples(
    event
      .command('close-queue <queue>')
      .description('close a queue; items still in it are dropped')
      .option(...privateOption)
      .option(...ownerOption)
      .action(async (queue: string, opts: QueueOptions, cmd: Command) => {
        const res = await authedClientFor(cmd).closeQueue(queue, queueAddress(opts));
        printLine(`queue ${queue} closed (${res.dropped} items dropped)`);
      }),
    ['kci event close-queue lab-a-jobs'],
  );

  examples(
    event
      .command('queues')
      .description('your open queues and the shared ones')
      .option('--json', 'print JSON')
      .action(async (opts: { json?: boolean }, cmd: Command) => {
        const queues = await authedClientFor(cmd).listQueues();
        if (opts.json) return printJson(queues);
        printTable(
          ['NAME', 'OWNER', 'SHARED', 'SIZE', 'CREATED'],
          queues.map((q) => [q.name, q.owner, String(q.shared), String(q.size ?? ''), q.created]),
        );
      }),
    ['kci event queues --json'],
  );

  examples(
    event
      .command('push <file> <queue>')
      .description(
        'push an item read from a JSON file (- for stdin) onto a queue (opened if needed): exactly one popper gets it',
      )
      .option('--type <type>', 'CloudEvent type')
      .option('--source <source>', 'CloudEvent source')
      .option(...privateOption)
      .option(...ownerOption)
      .action(async (file: string, queue: string, opts: EnvelopeOptions & QueueOptions, cmd: Command) => {
        const res = await authedClientFor(cmd).push(
          queue,
          envelope(readJsonInput(file), opts),
          queueAddress(opts),
        );
        printLine(`pushed to ${queue} (${res.id})`);
      }),
    ['kci event push job.json lab-a-jobs', 'echo \'{"job":"baseline"}\' | kci event push - builds'],
  );

  examples(
    event
      .command('pop <queue>')
      .description('take the next item of a queue and print it as JSON (exit code 3 when the queue is empty)')
      .option('-w, --wait <seconds>', 'wait up to this long for an item (at most 300)', intOption('wait', 0))
      .option(
        '--explicit-ack',
        'keep the item reserved until `kci event ack QUEUE RECEIPT` (else it is delivered again)',
      )
      .option(...privateOption)
      .option(...ownerOption)
      .action(
        async (
          queue: string,
          opts: QueueOptions & { wait?: number; explicitAck?: boolean },
          cmd: Command,
        ) => {
          const item = await authedClientFor(cmd).pop(queue, {
            ...queueAddress(opts),
            wait: opts.wait,
            ack: opts.explicitAck ? 'explicit' : 'auto',
          });
          if (item == null) throw new CliError(`queue ${queue} is empty`, EXIT.empty);
          printJsonLine(item);
        },
      ),
    [
      'kci event pop lab-a-jobs',
      'kci event pop lab-a-jobs --wait 30 | jq .data',
      'kci event pop builds --explicit-ack | jq -r .receipt',
    ],
  );

  examples(
    event
      .command('ack <queue> <receipt>')
      .description('acknowledge an item popped with --explicit-ack: it is done')
      .option('--release', 'give the item back instead: it is delivered again at once')
      .option(...privateOption)
      .option(...ownerOption)
      .action(
        async (queue: string, receipt: string, opts: QueueOptions & { release?: boolean }, cmd: Command) => {
          const client = authedClientFor(cmd);
          if (opts.release) await client.releaseQueueItem(queue, receipt, queueAddress(opts));
          else await client.ackQueueItem(queue, receipt, queueAddress(opts));
          printLine(`${opts.release ? 'released' : 'acknowledged'} ${receipt}`);
        },
      ),
    [
      'kci event ack builds 65a1f0c2e4b0a1b2c3d4e5f6:1',
      'kci event ack builds 65a1f0c2e4b0a1b2c3d4e5f6:1 --release',
    ],
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
