// Rendering LAVA job definitions from the templates under config/lava (nunjucks, Jinja2 syntax).
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests walk parsed YAML documents */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { LavaTemplateError, renderLavaJob, type LavaTemplateVars } from '../../src/runtimes/lava/templates';

const DIR = path.resolve(__dirname, '../../config/lava');

function vars(over: Partial<LavaTemplateVars> = {}): LavaTemplateVars {
  return {
    node_id: '65f0c0ffee00000000000001',
    job_name: 'baseline-qemu',
    lava_job_name: 'baseline-qemu-65f0c0ffee00000000000001',
    job: {
      name: 'baseline-qemu',
      kind: 'test',
      params: {
        ramdisk_url: 'http://storage/rootfs.cpio.gz',
        steps: ['lava-test-case uname --shell uname -a'],
      },
    },
    platform: { name: 'qemu-x86', arch: 'x86_64', boot_method: 'qemu', params: {} },
    device_type: 'qemu',
    artifacts: { kernel_image: 'http://storage/k/bzImage' },
    kernel_url: 'http://storage/k/bzImage',
    tarball_url: 'http://storage/linux.tar.gz',
    callback_url: 'http://lab:8020/lava/callback/65f0c0ffee00000000000001/abc123',
    priority: 'medium',
    visibility: 'public',
    timeouts: { job: 30, action: 10, connection: 2 },
    data: { arch: 'x86_64' },
    context: { arch: 'amd64', no_kvm: true, guestfs_interface: 'virtio' },
    ...over,
  };
}

describe('LAVA job templates', () => {
  it('boot-test renders a LAVA job: deploy, boot, inline test and the callback', () => {
    const job = parseYaml(renderLavaJob(DIR, 'boot-test.jinja2', vars())) as Record<string, any>;
    expect(job.device_type).toBe('qemu');
    expect(job.job_name).toBe('baseline-qemu-65f0c0ffee00000000000001');
    expect(job.priority).toBe('medium');
    expect(job.timeouts).toEqual({
      job: { minutes: 30 },
      action: { minutes: 10 },
      connection: { minutes: 2 },
    });
    expect(job.context).toEqual({ arch: 'amd64', no_kvm: true, guestfs_interface: 'virtio' });
    expect(job.metadata['maestro.node_id']).toBe('65f0c0ffee00000000000001');
    const [deploy, boot, test] = job.actions;
    expect(deploy.deploy.images.kernel).toEqual({
      image_arg: '-kernel {kernel} -append "console=ttyS0,115200"',
      url: 'http://storage/k/bzImage',
    });
    expect(deploy.deploy.images.ramdisk.url).toBe('http://storage/rootfs.cpio.gz');
    expect(boot.boot).toMatchObject({ method: 'qemu', media: 'tmpfs', prompts: ['/ #'] });
    const def = test.test.definitions[0];
    expect(def.from).toBe('inline');
    expect(def.repository.run.steps).toEqual(['lava-test-case uname --shell uname -a']);
    expect(job.notify.callbacks).toEqual([
      {
        url: 'http://lab:8020/lava/callback/65f0c0ffee00000000000001/abc123',
        method: 'POST',
        dataset: 'all',
        'content-type': 'json',
      },
    ]);
  });

  it('values with YAML syntax in them stay values', () => {
    const tricky = 'echo "a: b" # not a comment';
    const job = parseYaml(
      renderLavaJob(
        DIR,
        'boot-test.jinja2',
        vars({
          job: { name: 'x', kind: 'test', params: { steps: [tricky], kernel_args: 'console=ttyS0 quiet' } },
        }),
      ),
    ) as Record<string, any>;
    expect(job.actions[2].test.definitions[0].repository.run.steps).toEqual([tricky]);
    expect(job.actions[0].deploy.images.kernel.image_arg).toContain('console=ttyS0 quiet');
  });

  it('reports a missing template, an escape from the directory and a non-job result by name', () => {
    expect(() => renderLavaJob(DIR, 'nope.jinja2', vars())).toThrow(/LAVA template "nope.jinja2"/);
    expect(() => renderLavaJob(DIR, '../pipeline.yaml', vars())).toThrow(LavaTemplateError);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lava-tpl-'));
    fs.writeFileSync(path.join(dir, 'bad.jinja2'), 'device_type: [{{ device_type }}\n');
    fs.writeFileSync(path.join(dir, 'partial.jinja2'), 'device_type: {{ device_type }}\n');
    fs.writeFileSync(path.join(dir, 'syntax.jinja2'), '{% if %}\n');
    expect(() => renderLavaJob(dir, 'bad.jinja2', vars())).toThrow(/did not render to YAML/);
    expect(() => renderLavaJob(dir, 'partial.jinja2', vars())).toThrow(/without "job_name"/);
    expect(() => renderLavaJob(dir, 'syntax.jinja2', vars())).toThrow(/LAVA template "syntax.jinja2"/);
  });
});
