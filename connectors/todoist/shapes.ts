/** Todoist's records as the connector reads them, and the output fields that describe them. */
import { defineFields } from '@weft/sdk';

export interface Task {
  id: string;
  content: string;
  project_id: string;
  section_id: string | null;
  completed_at?: string | null;
  [key: string]: unknown;
}

export const taskFields = defineFields([
  { name: 'id', label: 'Task ID' },
  { name: 'content', label: 'Task name' },
  { name: 'description' },
  { name: 'project_id', label: 'Project ID' },
  { name: 'section_id', label: 'Section ID' },
  { name: 'parent_id', label: 'Parent task ID' },
  { name: 'labels', type: 'array', of: 'string' },
  { name: 'priority', type: 'integer' },
  { name: 'checked', type: 'boolean', label: 'Completed' },
  {
    name: 'due',
    type: 'object',
    properties: [
      { name: 'date' },
      { name: 'string', label: 'Due (in words)' },
      { name: 'is_recurring', type: 'boolean' },
      { name: 'timezone' },
    ],
  },
  { name: 'added_at', type: 'date_time' },
  { name: 'completed_at', type: 'date_time' },
  { name: 'updated_at', type: 'date_time' },
  { name: 'user_id', label: 'Owner ID' },
]);

export const userFields = defineFields([
  { name: 'id', label: 'User ID' },
  { name: 'email', controlType: 'email' },
  { name: 'full_name' },
  { name: 'tz_info', type: 'object', properties: [{ name: 'timezone' }] },
]);
