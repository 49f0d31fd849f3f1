// The words DevMesh types or sends about a task: the broadcast inviting a bid, the one-line prompt typed
// into the winner's terminal, and the prompt of a critic task. Kept together so their wording is consistent.
import type { TaskInfo } from '../../../shared/task.js';

const TITLE_MAX = 200;
const PROMPT_MAX = 32_768;

/** the message each eligible agent gets when a task opens for bids */
export function invitation(task: TaskInfo): string {
  const caps = task.capabilities.length > 0 ? ` Needs: ${task.capabilities.join(', ')}.` : '';
  const files = task.files.length > 0 ? ` Files: ${task.files.join(', ')}.` : '';
  return (
    `New task ${task.id}: "${task.title}" (priority ${task.priority}).${caps}${files} ` +
    `To bid, call the MCP tool bid_task with task ${task.id} (your capabilities and an estimate in minutes), ` +
    `or read it first with \`devmesh task show ${task.id}\`. The best score wins when bidding closes.`
  );
}

/** ONE line (a newline would submit it early): what the winner's terminal receives */
export function delivery(task: TaskInfo): string {
  const prompt = oneLine(task.prompt);
  const files = task.files.length > 0 ? task.files.join(', ') : 'none named';
  return `DevMesh task ${task.id}: ${oneLine(task.title)}. ${prompt} (files: ${files}; when done call complete_task with task ${task.id})`;
}

export function criticTitle(task: TaskInfo): string {
  return `Review: ${task.title}`.slice(0, TITLE_MAX);
}

export function criticPrompt(task: TaskInfo, summary: string): string {
  const by = task.assigneeName ?? task.assigneeId ?? 'another agent';
  const files = task.files.length > 0 ? `the files ${task.files.join(', ')}` : 'the project';
  const said = summary.trim() === '' ? 'It left no summary.' : `Its summary: ${summary.trim()}`;
  const text =
    `Review what task ${task.id} ("${task.title}", done by ${by}) changed in ${files}. ${said} ` +
    `The task asked: ${task.prompt} ` +
    'Check that the change does what was asked, is correct and is tested; report each problem with the file and line, ' +
    'and finish with complete_task (outcome FAILED when the work must be redone).';
  return text.slice(0, PROMPT_MAX);
}

export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
