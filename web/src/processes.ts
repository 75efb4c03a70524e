/** The processes the signed-in role takes part in (GET /processes): their labels, states and events, for every page that names them. */
import { get } from './api';
import type { ProcessInfo } from './types';
import { useLoad } from './ui';

export function useProcesses() {
  return useLoad(() => get<{ processes: ProcessInfo[] }>('/processes').then((r) => r.processes), []);
}
