export { taskOperationSchemas } from './schemas';
export { WORK_KEY, declaresWork, initialWork, readWork, type WorkState, type WorkTaskState } from './model';
export { workView, checkTaskOperation, allowedTaskOperations, workEventRefusal, workNotification } from './view';
